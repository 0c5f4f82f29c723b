/** A byte store with expiry: uploaded images and job results live here, jobs carry only the keys. */
export interface BlobStore {
  put(entries: readonly BlobEntry[], ttlSeconds: number): Promise<void>;

  /** The bytes, or undefined when the key expired or never existed. */
  get(key: string): Promise<Buffer | undefined>;

  delete(keys: readonly string[]): Promise<void>;
}

export interface BlobEntry {
  readonly key: string;
  readonly bytes: Buffer;
}
