export * from './codec/index';
export { MqttError } from './errors';
