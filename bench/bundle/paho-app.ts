import Paho from 'paho-mqtt';

const client = new Paho.Client('broker.example', 443, '/mqtt', 'dashboard');
client.onMessageArrived = (message: { destinationName: string; payloadBytes: Uint8Array }) => console.log(message.destinationName, message.payloadBytes);
client.connect({
  useSSL: true,
  onSuccess: () => {
    client.subscribe('vehicles/+/position', { qos: 2 });
    const message = new Paho.Message(JSON.stringify({ lat: 1, lon: 2 }));
    message.destinationName = 'vehicles/42/position';
    message.qos = 2;
    client.send(message);
  },
});
