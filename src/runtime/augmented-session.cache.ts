/** What the cache holds: anything with native memory to give back (an onnxruntime session and its facts). */
export interface Releasable {
  release(): Promise<void>;
}

interface Entry<T extends Releasable> {
  readonly value: Promise<T>;
  users: number;
  evicted: boolean;
}

/**
 * A bounded least-recently-used cache of built sessions (augmented models
 * are slow to build and fast to run). A value is built once per key, even
 * when several jobs ask at the same time; an evicted session is released
 * only after the last run that uses it has finished. A failed build is not
 * kept, so the next request tries again.
 */
export class AugmentedSessionCache<T extends Releasable> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `AugmentedSessionCache capacity: expected an integer >= 1, got ${capacity}`,
      );
    }
  }

  get size(): number {
    return this.entries.size;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Runs `work` with the value for `key`, building it with `build` when absent. */
  async use<R>(key: string, build: () => Promise<T>, work: (value: T) => Promise<R>): Promise<R> {
    const entry = this.acquire(key, build);
    try {
      return await work(await entry.value);
    } finally {
      entry.users -= 1;
      await this.releaseIfDone(entry);
    }
  }

  /** Releases every value (at shutdown). */
  async clear(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const entry of entries) {
      entry.evicted = true;
      await this.releaseIfDone(entry);
    }
  }

  private acquire(key: string, build: () => Promise<T>): Entry<T> {
    const found = this.entries.get(key);
    if (found !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, found);
      found.users += 1;
      return found;
    }

    const entry: Entry<T> = { value: build(), users: 1, evicted: false };
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) {
        this.entries.delete(key);
      }
    });
    this.entries.set(key, entry);
    this.evictBeyondCapacity();
    return entry;
  }

  private evictBeyondCapacity(): void {
    while (this.entries.size > this.capacity) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, Entry<T>];
      this.entries.delete(oldestKey);
      oldest.evicted = true;
      void this.releaseIfDone(oldest);
    }
  }

  private async releaseIfDone(entry: Entry<T>): Promise<void> {
    if (!entry.evicted || entry.users > 0) {
      return;
    }
    try {
      await (await entry.value).release();
    } catch {
      // A build that failed has nothing to release.
    }
  }
}
