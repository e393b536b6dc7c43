/**
 * Hooks may answer at once or with a promise. The broker stays synchronous when they answer at
 * once (the common case, and the fast one) and waits only when they do not.
 */
export type MaybePromise<T> = T | Promise<T>;

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/** Calls a hook; a throw or a rejection is reported to `onError` and answered with `fallback`. */
export function callHook<T>(call: () => T | PromiseLike<T>, fallback: T, onError: (error: unknown) => void): MaybePromise<T> {
  try {
    const result = call();
    if (!isThenable(result)) return result;
    return Promise.resolve(result).then(
      (value) => value,
      (error: unknown) => {
        onError(error);
        return fallback;
      },
    );
  } catch (error) {
    onError(error);
    return fallback;
  }
}

/** Runs `next` on the value now, or once the promise settles. */
export function andThen<T>(value: MaybePromise<T>, next: (value: T) => MaybePromise<void>): MaybePromise<void> {
  return isThenable(value) ? value.then(next) : next(value);
}

/** Like `Promise.all`, but synchronous when no value is a promise. */
export function allOf<T>(values: MaybePromise<T>[]): MaybePromise<T[]> {
  return values.some(isThenable) ? Promise.all(values) : (values as T[]);
}
