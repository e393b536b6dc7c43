import { Deferred } from './deferred';

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;
/** Someone called then(): the native promise (a Deferred) carries the outcome from now on. */
const WAITED_ON = 3;
const WAITED_ON_SETTLED = 4;

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
  #state = PENDING;
  /** The result or error once settled; the Deferred once waited on. */
  #value: unknown = undefined;

  get [Symbol.toStringTag](): string {
    return 'Promise';
  }

  /** Whether it has settled (once settled, it never changes). */
  get settled(): boolean {
    return this.#state === FULFILLED || this.#state === REJECTED || this.#state === WAITED_ON_SETTLED;
  }

  resolve(value: T): void {
    this.#settle(FULFILLED, value);
  }

  reject(error: unknown): void {
    this.#settle(REJECTED, error);
  }

  // `reason: any`, as in the Promise type itself: `.catch((error: Error) => ...)` must type-check
  // as it does on a native promise.
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#native().then(onFulfilled, onRejected);
  }

  catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#native().catch(onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<T> {
    return this.#native().finally(onFinally);
  }

  #settle(state: typeof FULFILLED | typeof REJECTED, value: unknown): void {
    if (this.settled) return;
    if (this.#state === WAITED_ON) {
      const deferred = this.#value as Deferred<T>;
      this.#state = WAITED_ON_SETTLED;
      if (state === FULFILLED) deferred.resolve(value as T);
      else deferred.reject(value);
      return;
    }
    this.#state = state;
    this.#value = value;
  }

  #native(): Promise<T> {
    if (this.#state === WAITED_ON || this.#state === WAITED_ON_SETTLED) return (this.#value as Deferred<T>).promise;
    // Quiet, as publish()'s promise always was: `.then(onFulfilled)` alone still reports its own
    // derived promise's rejection, as with any promise.
    const deferred = new Deferred<T>(true);
    const state = this.#state;
    if (state === FULFILLED) deferred.resolve(this.#value as T);
    else if (state === REJECTED) deferred.reject(this.#value);
    this.#state = state === PENDING ? WAITED_ON : WAITED_ON_SETTLED;
    this.#value = deferred;
    return deferred.promise;
  }
}
