// A process that awaits one QoS 0 publish and exits at once, as `await publish(...);
// process.exit()` does in a script: what the promise promised must have reached the socket.
// Args: URL CLIENT_ID PAYLOAD. Prints "published" just before it exits.
import { connect } from '@courier/node';

const [url, clientId, payload] = process.argv.slice(2) as [string, string, string];
const client = await connect(url, { clientId, reconnect: false });
await client.publish('exit/qos0', payload, { qos: 0 });
process.stdout.write('published\n');
process.exit(0);
