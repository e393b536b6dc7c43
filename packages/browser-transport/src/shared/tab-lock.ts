/**
 * A lock a tab holds for its life: the owner learns that the tab is gone when it is released.
 * `granted` resolves once it is held: a tab says nothing to an owner before, or the owner, finding
 * the lock free, would take the tab for gone.
 */
export function holdTabLock(name: string): { granted: Promise<void>; release: () => void } {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const granted = new Promise<void>((resolve) => {
    void navigator.locks
      .request(name, () => {
        resolve();
        return held;
      })
      .catch(() => undefined);
  });
  return { granted, release };
}

/** The tabs whose locks named `prefix`… are held now. */
export async function liveTabs(prefix: string): Promise<string[]> {
  const { held = [] } = await navigator.locks.query();
  return held.flatMap((lock) => (lock.name !== undefined && lock.name.startsWith(prefix) ? [lock.name.slice(prefix.length)] : []));
}

/** Calls `gone` once the lock `name` (a tab's) is released, unless `signal` aborts first. */
export function whenReleased(name: string, signal: AbortSignal, gone: () => void): void {
  void navigator.locks.request(name, { signal }, () => gone()).catch(() => undefined);
}
