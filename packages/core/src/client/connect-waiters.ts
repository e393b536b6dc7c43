import type { MqttError } from '../errors';
import type { ConnectInfo } from './client-types';
import { Deferred } from './deferred';

/** Whoever awaits `whenConnected()`: told together, once, of the next CONNACK or of the failure. */
export class ConnectWaiters {
  #waiters: Deferred<ConnectInfo>[] = [];

  /** A promise for the next outcome; quiet, so that one nobody awaits is no unhandled rejection. */
  add(): Promise<ConnectInfo> {
    const waiter = new Deferred<ConnectInfo>(true);
    this.#waiters.push(waiter);
    return waiter.promise;
  }

  resolveAll(info: ConnectInfo): void {
    for (const waiter of this.#take()) waiter.resolve(info);
  }

  rejectAll(error: MqttError): void {
    for (const waiter of this.#take()) waiter.reject(error);
  }

  #take(): Deferred<ConnectInfo>[] {
    const waiters = this.#waiters;
    this.#waiters = [];
    return waiters;
  }
}
