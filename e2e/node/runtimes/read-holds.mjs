// Run by Bun and Deno (e2e/node/runtimes.test.ts): tcpTransport's read holds (`coalesceReadsMs`),
// which stop reading through the socket's `onread` callback returning false and resume it with
// `socket.resume()`. A server in this process writes a 2-byte chunk every turn of the event loop
// for 300 ms; the client's data handler calls every read quiet. Prints, for coalesceReadsMs 0
// and 20, "<ms>: <reads> reads, every byte" (or how many bytes were missing), then "finished".
import { createServer } from 'node:net';
import { tcpTransport } from '@courier/node';

let written = 0;
const server = createServer((socket) => {
  const started = Date.now();
  const tick = () => {
    if (Date.now() - started > 300) return socket.end();
    socket.write(new Uint8Array([0x30, written & 0xff]));
    written += 2;
    setImmediate(tick);
  };
  tick();
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
for (const coalesceReadsMs of [0, 20]) {
  written = 0;
  let reads = 0;
  let bytes = 0;
  await new Promise((resolve, reject) => {
    const handlers = { data: (chunk) => ((reads += 1), (bytes += chunk.length), true), close: resolve, drain() {} };
    tcpTransport({ host: '127.0.0.1', port: server.address().port, coalesceReadsMs }).connect(handlers).catch(reject);
  });
  console.log(`${coalesceReadsMs}: ${reads} reads, ${bytes === written ? 'every byte' : `${written - bytes} bytes missing`}`);
}
server.close();
console.log('finished');
