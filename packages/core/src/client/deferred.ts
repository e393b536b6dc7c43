const ignore = (): void => undefined;

/** A promise with its resolve and reject at hand, settled at most once. */
export class Deferred<T> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;

  /**
   * `handled`: a rejection the caller never looks at is not an unhandled rejection (which Node
   * turns into a crash): a publish fired and forgotten must not bring the process down because
   * the broker refused it. Awaiting the promise still gives the error.
   */
  constructor(handled = false) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    if (handled) this.promise.catch(ignore);
  }
}
