import * as fs from 'fs';
import * as path from 'path';
import type { PackageStore } from '../ports';

/** Package storage (S3 locally): one folder per simulated region under the state folder. */
export class LocalPackageStore implements PackageStore {
  constructor(private readonly root: string) {}

  /** The file that holds a blob (the function loader requires bundles from there). */
  pathOf(region: string, key: string): string {
    if (!key || key.split('/').some((p) => p === '..' || p === '')) throw new Error(`invalid package key "${key}"`);
    return path.join(this.root, region, ...key.split('/'));
  }

  async put(region: string, key: string, body: Uint8Array): Promise<void> {
    const file = this.pathOf(region, key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, body);
  }

  async get(region: string, key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(fs.readFileSync(this.pathOf(region, key)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async delete(region: string, key: string): Promise<void> {
    fs.rmSync(this.pathOf(region, key), { force: true });
  }

  async list(region: string, prefix: string): Promise<string[]> {
    const base = path.join(this.root, region);
    const out: string[] = [];
    const walk = (dir: string, rel: string) => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(path.join(dir, e.name), r);
        else if (r.startsWith(prefix)) out.push(r);
      }
    };
    walk(base, '');
    return out.sort();
  }
}
