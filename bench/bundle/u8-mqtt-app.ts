// u8-mqtt has no QoS 2: the nearest it offers is QoS 1.
import mqtt_client from 'u8-mqtt';

const client = mqtt_client().with_websock('wss://broker.example/mqtt').with_autoreconnect();
await client.connect();
client.subscribe_topic('vehicles/:id/position', (packet: { topic: string; payload: Uint8Array }) => console.log(packet.topic, packet.payload));
await client.json_send('vehicles/42/position', { lat: 1, lon: 2 });
