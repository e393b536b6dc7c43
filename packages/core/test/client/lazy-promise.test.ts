import { describe, expect, test } from 'vitest';
import { LazyPromise } from '../../src/client/lazy-promise';

/** Collects the unhandled rejections Node reports while `run` and a few turns after it. */
async function unhandledDuring(run: () => Promise<void> | void): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await run();
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
}

describe('LazyPromise', () => {
  test('await gives the result, whether it settled before or after the await began', async () => {
    const early = new LazyPromise<number>();
    early.resolve(1);
    expect(await early).toBe(1);
    const late = new LazyPromise<number>();
    setTimeout(() => late.resolve(2), 0);
    expect(await late).toBe(2);
  });

  test('settles once: a second resolve or reject changes nothing', async () => {
    const promise = new LazyPromise<number>();
    promise.resolve(1);
    promise.reject(new Error('late'));
    promise.resolve(3);
    expect(promise.settled).toBe(true);
    await expect(promise).resolves.toBe(1);
    const waited = new LazyPromise<number>();
    const result = waited.then((value) => value);
    waited.reject(new Error('first'));
    waited.resolve(2);
    await expect(result).rejects.toThrow('first');
  });

  test('works with Promise.all, race, allSettled, catch and finally', async () => {
    const a = new LazyPromise<number>();
    const b = new LazyPromise<number>();
    a.resolve(1);
    b.resolve(2);
    expect(await Promise.all([a, b])).toEqual([1, 2]);
    expect(await Promise.race([a])).toBe(1);
    const failed = new LazyPromise<number>();
    failed.reject(new Error('no'));
    expect((await Promise.allSettled([failed]))[0]?.status).toBe('rejected');
    expect(await failed.catch((error: Error) => error.message)).toBe('no');
    let finished = false;
    await a.finally(() => (finished = true));
    expect(finished).toBe(true);
  });

  test('is not instanceof Promise (documented); Promise.resolve makes a native one', async () => {
    const promise = new LazyPromise<number>();
    promise.resolve(5);
    expect(promise instanceof Promise).toBe(false);
    expect(Object.prototype.toString.call(promise)).toBe('[object Promise]');
    const native = Promise.resolve(promise);
    expect(native).toBeInstanceOf(Promise);
    expect(await native).toBe(5);
  });

  test('a rejection nobody looks at, or looks at after it happened, is never unhandled', async () => {
    const seen = await unhandledDuring(async () => {
      const ignored = new LazyPromise<number>();
      ignored.reject(new Error('fire and forget'));
      const awaitedLater = new LazyPromise<number>();
      awaitedLater.reject(new Error('awaited later'));
      await new Promise((resolve) => setTimeout(resolve, 0));
      await expect(awaitedLater).rejects.toThrow('awaited later');
    });
    expect(seen).toEqual([]);
  });

  test('then(onFulfilled) alone reports its own rejection, as a native promise does', async () => {
    const seen = await unhandledDuring(() => {
      const promise = new LazyPromise<number>();
      void promise.then((value) => value);
      promise.reject(new Error('nobody caught it'));
    });
    expect(seen).toHaveLength(1);
  });
});
