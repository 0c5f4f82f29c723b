/** A map whose entries disappear after their time-to-live, as Redis keys with EX do. */
export class ExpiringMap<T> {
  private readonly entries = new Map<string, { value: T; timer: NodeJS.Timeout }>();

  set(key: string, value: T, ttlSeconds: number): void {
    this.delete(key);
    const timer = setTimeout(() => this.entries.delete(key), ttlSeconds * 1000);
    // an expiry must not keep the process alive
    timer.unref();
    this.entries.set(key, { value, timer });
  }

  get(key: string): T | undefined {
    return this.entries.get(key)?.value;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      clearTimeout(entry.timer);
      this.entries.delete(key);
    }
  }
}
