const ignore = (): void => undefined;

/**
 * Marks a promise handled and returns it: a rejection nobody awaits must not become an
 * unhandled rejection, which Node turns into a crash. Awaiting it still gives the error.
 */
export function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(ignore);
  return promise;
}

/** A promise with its resolve and reject at hand, settled at most once. */
export class Deferred<T> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  #reject!: (error: unknown) => void;
  readonly #quiet: boolean;

  /**
   * `quiet`: a rejection the caller never looks at is not an unhandled rejection (which Node
   * turns into a crash): a publish fired and forgotten must not bring the process down because
   * the broker refused it. Awaiting the promise still gives the error.
   */
  constructor(quiet = false) {
    this.#quiet = quiet;
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.#reject = reject;
    });
  }

  reject(error: unknown): void {
    // The handler goes on only when it is needed, just before the rejection, which then has one:
    // attached up front, it cost every publish a second promise and a microtask when it resolved.
    if (this.#quiet) this.promise.catch(ignore);
    this.#reject(error);
  }
}
