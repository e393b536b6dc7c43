import { describe, expect, test } from 'vitest';
import { httpAnswer, wrongPortError } from '../src/http-answer';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('httpAnswer', () => {
  test('passes MQTT on at its first byte: a CONNACK starts with 0x20', () => {
    expect(httpAnswer(Uint8Array.of(0x20, 0x02, 0x00, 0x00))).toBe('mqtt');
  });

  test('waits while the bytes so far could still be the start of "HTTP/"', () => {
    expect(httpAnswer(bytes('H'))).toBe('undecided');
    expect(httpAnswer(bytes('HTTP'))).toBe('undecided');
    expect(httpAnswer(bytes('HTX'))).toBe('mqtt');
  });

  test('reads the status line of an HTTP answer', () => {
    expect(httpAnswer(bytes('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n'))).toEqual({ statusLine: 'HTTP/1.1 400 Bad Request' });
    expect(httpAnswer(bytes('HTTP/1.0 404'))).toEqual({ statusLine: 'HTTP/1.0 404' });
  });
});

describe('wrongPortError', () => {
  test('names the WebSocket URL to use instead, with brackets around an IPv6 host', () => {
    expect(wrongPortError('::1', 8083, false, 'HTTP/1.1 400 Bad Request').message).toContain('Use ws://[::1]:8083/mqtt');
    expect(wrongPortError('broker.example', 8084, true, 'HTTP/1.1 400 Bad Request').message).toContain('Use wss://broker.example:8084/mqtt');
  });
});
