import type { MqttError } from '../errors';
import type { PublishResult, SettleAction, SubscribeResult, UnsubscribeResult } from '../session/session-types';
import { IdOrderedMap } from '../util/id-ordered-map';
import { Deferred } from './deferred';
import { LazyPromise } from './lazy-promise';

/**
 * The promises of the operations in progress, by id: publish() and delivered(id) by message id,
 * subscribe() and unsubscribe() by an operation id of their own. The session settles them; this
 * is where each settles, once.
 */
export class PendingOperations {
  readonly #publishes = new IdOrderedMap<LazyPromise<PublishResult>>();
  readonly #deliveryWaiters = new Map<number, Deferred<PublishResult>[]>();
  /** SUBSCRIBE and UNSUBSCRIBE, by operation id. */
  readonly #requests = new Map<number, Deferred<SubscribeResult | UnsubscribeResult>>();
  /** Removes the abort listener of a publish that has one. */
  readonly #aborts = new Map<number, () => void>();
  #nextOperationId = 1;

  /** The promise of publish(): message `id`, with its abort signal when it has one. */
  addPublish(id: number, signal: AbortSignal | undefined, onAbort: () => void): Promise<PublishResult> {
    // Lazy: a publish nobody awaits holds no native promise (see LazyPromise).
    const promise = new LazyPromise<PublishResult>();
    this.#publishes.set(id, promise);
    if (signal !== undefined) {
      signal.addEventListener('abort', onAbort, { once: true });
      this.#aborts.set(id, () => signal.removeEventListener('abort', onAbort));
    }
    return promise;
  }

  /** Whether publish() of message `id` has not settled yet. */
  publishing(id: number): boolean {
    return this.#publishes.get(id) !== undefined;
  }

  /** A promise that settles with message `id`'s final outcome. */
  addDeliveryWaiter(id: number): Promise<PublishResult> {
    const waiter = new Deferred<PublishResult>();
    const waiters = this.#deliveryWaiters.get(id);
    if (waiters === undefined) this.#deliveryWaiters.set(id, [waiter]);
    else waiters.push(waiter);
    return waiter.promise;
  }

  /** A new SUBSCRIBE or UNSUBSCRIBE: its operation id and its promise. */
  addRequest<T extends SubscribeResult | UnsubscribeResult>(): { id: number; promise: Promise<T> } {
    const id = this.#nextOperationId++;
    const deferred = new Deferred<T>();
    this.#requests.set(id, deferred as unknown as Deferred<SubscribeResult | UnsubscribeResult>);
    return { id, promise: deferred.promise };
  }

  settle(action: SettleAction): void {
    const { id } = action;
    if (action.operation === 'publish') {
      this.settlePublish(id, action.result, action.error, true);
      return;
    }
    const deferred = this.#requests.get(id);
    if (deferred === undefined) return;
    this.#requests.delete(id);
    if (action.error !== undefined) deferred.reject(action.error);
    else deferred.resolve(action.result);
  }

  /** Settles the publish() promise once; `final` also settles delivered(id). */
  settlePublish(id: number, result: PublishResult | undefined, error: MqttError | undefined, final: boolean): void {
    const promise = this.#publishes.get(id);
    if (promise !== undefined) {
      this.#publishes.delete(id);
      this.#aborts.get(id)?.();
      this.#aborts.delete(id);
      if (error !== undefined) promise.reject(error);
      else promise.resolve(result!);
    }
    if (!final) return;
    const waiters = this.#deliveryWaiters.get(id);
    if (waiters === undefined) return;
    this.#deliveryWaiters.delete(id);
    for (const waiter of waiters) {
      if (error !== undefined) waiter.reject(error);
      else waiter.resolve(result!);
    }
  }

  /** Rejects everything still pending: what no session input will settle any more. */
  rejectAll(error: MqttError): void {
    for (const publish of this.#publishes.values()) publish.reject(error);
    this.#publishes.clear();
    for (const [, removeListener] of this.#aborts) removeListener();
    this.#aborts.clear();
    for (const [, deferred] of this.#requests) deferred.reject(error);
    this.#requests.clear();
    for (const [, waiters] of this.#deliveryWaiters) for (const waiter of waiters) waiter.reject(error);
    this.#deliveryWaiters.clear();
  }
}
