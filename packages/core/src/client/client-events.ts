import mitt, { type Emitter } from 'mitt';
import { MqttError } from '../errors';
import type { ClientEvents } from './client-types';

/** A handler of one client event. */
export type EventHandler<K extends keyof ClientEvents> = (payload: ClientEvents[K]) => void;

interface Registration {
  handler: Function;
  wrapper: (payload: never) => void;
}

/**
 * The client's typed events, on a `mitt` emitter. Each handler is wrapped when it is added, so
 * that one that throws stops neither the other handlers nor the client's own work (the ack or
 * outbox write of the step that emitted): the throw is reported as an `ERR_HANDLER` error event.
 * `off` removes exactly what `on` or `once` added for that handler.
 */
export class ClientEventBus {
  readonly #emitter: Emitter<ClientEvents> = mitt<ClientEvents>();
  readonly #registrations = new Map<keyof ClientEvents, Registration[]>();
  readonly #changed: (event: keyof ClientEvents) => void;

  /** `changed` hears of every handler added or removed, after the fact. */
  constructor(changed: (event: keyof ClientEvents) => void) {
    this.#changed = changed;
  }

  /** Calls `handler` for every `event`, until `off`. */
  on<K extends keyof ClientEvents>(event: K, handler: EventHandler<K>): void {
    this.#add(event, handler, false);
  }

  /** Calls `handler` for the next `event` only. */
  once<K extends keyof ClientEvents>(event: K, handler: EventHandler<K>): void {
    this.#add(event, handler, true);
  }

  /** Removes one registration of `handler` (the oldest), as added by `on` or `once`. */
  off<K extends keyof ClientEvents>(event: K, handler: EventHandler<K>): void {
    const registrations = this.#registrations.get(event);
    const registration = registrations?.find((candidate) => candidate.handler === handler);
    if (registration !== undefined) this.#remove(event, registration);
  }

  /** How many handlers `event` has. */
  count(event: keyof ClientEvents): number {
    return this.#registrations.get(event)?.length ?? 0;
  }

  /** Calls the handlers of `event` with `payload`, in the order they were added. */
  emit<K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]): void {
    this.#emitter.emit(event, payload);
  }

  #add<K extends keyof ClientEvents>(event: K, handler: EventHandler<K>, once: boolean): void {
    const registration: Registration = {
      handler,
      wrapper: (payload: ClientEvents[K]) => {
        if (once) this.#remove(event, registration);
        try {
          handler(payload);
        } catch (error) {
          // An error handler that throws is not reported again: that would loop.
          if (event !== 'error') this.emit('error', new MqttError('ERR_HANDLER', `a ${event} handler threw`, { cause: error }));
        }
      },
    };
    const registrations = this.#registrations.get(event);
    if (registrations === undefined) this.#registrations.set(event, [registration]);
    else registrations.push(registration);
    this.#emitter.on(event, registration.wrapper as EventHandler<K>);
    this.#changed(event);
  }

  #remove<K extends keyof ClientEvents>(event: K, registration: Registration): void {
    const registrations = this.#registrations.get(event)!;
    const index = registrations.indexOf(registration);
    // Gone already: a once handler that was also removed by off() during the same emit.
    if (index === -1) return;
    registrations.splice(index, 1);
    this.#emitter.off(event, registration.wrapper as EventHandler<K>);
    this.#changed(event);
  }
}
