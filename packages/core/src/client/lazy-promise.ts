import { Deferred } from './deferred';

// The outcome in the low two bits (0 while pending), and whether someone called then().
const FULFILLED = 1;
const REJECTED = 2;
const WAITED_ON = 4;

/**
 * A promise whose native promise, its resolvers and their closures exist only once someone calls
 * `then`, `catch` or `finally` (as `await` does). publish() returns one: a publish fired and
 * forgotten then costs one small object until it settles, not a promise, a deferred, two
 * closures and their context (about 230 bytes per message in flight, `npm run bench:memory`).
 *
 * It behaves as a promise for `await`, `Promise.all`/`race`/`allSettled`, `.then/.catch/.finally`
 * and TypeScript (it implements `Promise<T>`), but `instanceof Promise` is false; wrap it in
 * `Promise.resolve(...)` where a native promise is needed. A rejection nobody looks at is never an
 * unhandled rejection: no native promise exists to report it, and one created later is handled.
 */
export class LazyPromise<T> implements Promise<T> {
  #state = 0;
  /** The result or error; once waited on, the Deferred whose native promise carries it. */
  #value: unknown = undefined;

  get [Symbol.toStringTag](): string {
    return 'Promise';
  }

  /** Whether it has settled (once settled, it never changes). */
  get settled(): boolean {
    return (this.#state & (FULFILLED | REJECTED)) !== 0;
  }

  resolve(value: T): void {
    this.settleWith(FULFILLED, value);
  }

  reject(error: unknown): void {
    this.settleWith(REJECTED, error);
  }

  // `reason: any`, as in the Promise type itself: `.catch((error: Error) => ...)` must type-check
  // as it does on a native promise.
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.native().then(onFulfilled, onRejected);
  }

  catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.native().catch(onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<T> {
    return this.native().finally(onFinally);
  }

  // `private`, not `#`: a class with #methods gives each instance a brand slot, a word per
  // publish in flight.
  private settleWith(outcome: typeof FULFILLED | typeof REJECTED, value: unknown): void {
    if (this.settled) return;
    if (this.#state === WAITED_ON) {
      const deferred = this.#value as Deferred<T>;
      if (outcome === FULFILLED) deferred.resolve(value as T);
      else deferred.reject(value);
    } else {
      this.#value = value;
    }
    this.#state |= outcome;
  }

  private native(): Promise<T> {
    if ((this.#state & WAITED_ON) !== 0) return (this.#value as Deferred<T>).promise;
    // Quiet, as publish()'s promise always was: `.then(onFulfilled)` alone still reports its own
    // derived promise's rejection, as with any promise.
    const deferred = new Deferred<T>(true);
    if (this.#state === FULFILLED) deferred.resolve(this.#value as T);
    else if (this.#state === REJECTED) deferred.reject(this.#value);
    this.#state |= WAITED_ON;
    this.#value = deferred;
    return deferred.promise;
  }
}
