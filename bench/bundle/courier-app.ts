// The same small web app with each library: connect over WebSocket, subscribe, publish at QoS 2.
import { connect } from '@courier/browser';

const client = await connect('wss://broker.example/mqtt', { clientId: 'dashboard' });
await client.subscribe('vehicles/+/position', { qos: 2 });
client.on('message', (message) => console.log(message.topic, message.payload));
await client.publish('vehicles/42/position', JSON.stringify({ lat: 1, lon: 2 }), { qos: 2 });
