import { ConnectReturnCode, ReasonCode } from '@courier/core';

// The 3.1.1 return codes 1 to 5 and the 5.0 reason codes that say the same (3.2.2.2).
const V5_OF_V4: Record<number, number> = {
  [ConnectReturnCode.UnacceptableProtocolVersion]: ReasonCode.UnsupportedProtocolVersion,
  [ConnectReturnCode.IdentifierRejected]: ReasonCode.ClientIdentifierNotValid,
  [ConnectReturnCode.ServerUnavailable]: ReasonCode.ServerUnavailable,
  [ConnectReturnCode.BadUserNameOrPassword]: ReasonCode.BadUserNameOrPassword,
  [ConnectReturnCode.NotAuthorized]: ReasonCode.NotAuthorized,
};

const V4_OF_V5: Record<number, number> = {
  [ReasonCode.UnsupportedProtocolVersion]: ConnectReturnCode.UnacceptableProtocolVersion,
  [ReasonCode.ClientIdentifierNotValid]: ConnectReturnCode.IdentifierRejected,
  [ReasonCode.ServerUnavailable]: ConnectReturnCode.ServerUnavailable,
  [ReasonCode.ServerBusy]: ConnectReturnCode.ServerUnavailable,
  [ReasonCode.ServerShuttingDown]: ConnectReturnCode.ServerUnavailable,
  [ReasonCode.UnspecifiedError]: ConnectReturnCode.ServerUnavailable,
  [ReasonCode.ImplementationSpecificError]: ConnectReturnCode.ServerUnavailable,
  [ReasonCode.BadUserNameOrPassword]: ConnectReturnCode.BadUserNameOrPassword,
};

// The CONNACK reason codes of 0x80 and up (3.2.2.2).
const CONNACK_REFUSALS = new Set([
  0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c,
  0x9d, 0x9f,
]);

/**
 * The 5.0 CONNACK reason code an `authenticate` answer refuses with, or undefined when it
 * accepts: `true` and 0 accept, `false` is Not authorized, 1 to 5 are 3.1.1 return codes, a
 * CONNACK refusal code is itself, anything else is Unspecified error.
 */
export function refusalOf(verdict: boolean | number): number | undefined {
  if (verdict === true || verdict === 0) return undefined;
  if (verdict === false) return ReasonCode.NotAuthorized;
  if (V5_OF_V4[verdict] !== undefined) return V5_OF_V4[verdict];
  return CONNACK_REFUSALS.has(verdict) ? verdict : ReasonCode.UnspecifiedError;
}

/** The 3.1.1 return code nearest to a 5.0 refusal (3.1.1 has only five). */
export function connectReturnCodeOf(reasonCode: number): number {
  return V4_OF_V5[reasonCode] ?? ConnectReturnCode.NotAuthorized;
}
