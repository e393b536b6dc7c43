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
  reject!: (error: unknown) => void;

  /**
   * `quiet`: a rejection the caller never looks at is not an unhandled rejection (which Node
   * turns into a crash): a publish fired and forgotten must not bring the process down because
   * the broker refused it. Awaiting the promise still gives the error.
   */
  constructor(quiet = false) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    if (quiet) this.promise.catch(ignore);
  }
}
