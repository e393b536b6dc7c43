import mqtt from 'mqtt';

const client = mqtt.connect('wss://broker.example/mqtt', { clientId: 'dashboard' });
client.on('connect', () => {
  client.subscribe('vehicles/+/position', { qos: 2 });
  client.publish('vehicles/42/position', JSON.stringify({ lat: 1, lon: 2 }), { qos: 2 });
});
client.on('message', (topic, payload) => console.log(topic, payload));
