/** Blob storage for code bundles and spilled payloads (S3 on AWS). */
export interface PackageStore {
  put(region: string, key: string, body: Uint8Array): Promise<void>;
  /** The blob, or undefined when absent. */
  get(region: string, key: string): Promise<Uint8Array | undefined>;
  delete(region: string, key: string): Promise<void>;
  list(region: string, prefix: string): Promise<string[]>;
}
