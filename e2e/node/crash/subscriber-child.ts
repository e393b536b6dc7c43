// A subscriber process for the crash tests: a persistent session over a file outbox. It prints,
// unbuffered, "ready" once subscribed and "got k" for each message the application receives.
// The test kills it with SIGKILL at random moments and restarts it on the same directory.
import { connect } from '@courier/node';
import { type FsyncPolicy, fileOutbox } from '@courier/outbox-store/fs';

const [url, dir, fsync, clientId, topic] = process.argv.slice(2) as [string, string, FsyncPolicy, string, string];
const say = (line: string) => process.stdout.write(`${line}\n`);

const client = await connect(url, {
  clientId,
  clean: false,
  outbox: fileOutbox({ dir, fsync }),
  reconnect: { initialDelayMs: 10, maxDelayMs: 100 },
});
client.on('message', ({ payload }) => say(`got ${new TextDecoder().decode(payload)}`));
await client.subscribe(topic, { qos: 2 });
say('ready');
