// The wrong-scheme errors of @courier/node against Mosquitto, whose WebSocket listener
// (libwebsockets) answers a CONNECT with "HTTP/1.0 403" and whose TCP listener resets the upgrade.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { connect } from '@courier/node';
import { type RunningMosquitto, startMosquitto } from '../support/mosquitto';

let mosquitto: RunningMosquitto;
beforeAll(async () => {
  mosquitto = await startMosquitto();
});
afterAll(() => mosquitto.stop());

test("mqtt:// at Mosquitto's WebSocket port names it as a WebSocket/HTTP port", async () => {
  await expect(connect(`mqtt://127.0.0.1:${mosquitto.wsPort}`, { reconnect: false })).rejects.toThrow(
    `this port speaks WebSocket/HTTP, not MQTT over TCP. Use ws://127.0.0.1:${mosquitto.wsPort}/mqtt`,
  );
});

test("ws:// at Mosquitto's TCP port says the upgrade was hung up on and gives the mqtt:// URL", async () => {
  await expect(connect(`ws://127.0.0.1:${mosquitto.port}/mqtt`, { reconnect: false })).rejects.toThrow(
    `this port does not speak WebSocket. An MQTT over TCP port does this: use mqtt://127.0.0.1:${mosquitto.port} there`,
  );
});
