// The rival libraries of the bundle benchmark ship no types.
declare module 'paho-mqtt';
declare module 'u8-mqtt';
