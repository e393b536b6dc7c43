/**
 * The base of every error Courier throws or rejects with. `code` says which kind it is, so that
 * callers can branch on it without `instanceof` across bundles.
 */
export class MqttError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
