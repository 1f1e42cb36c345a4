/**
 * Who holds a lease, in terms this machine can check: the process id and an identity of the
 * host. A holder is "provably gone" only when it ran on this very host (same hostname, boot
 * and pid namespace: another container or Lambda sandbox never matches) and its pid is not
 * alive. Anything else — another host, an older claim without a pid — is left to expire.
 */
import * as fs from 'fs';
import * as os from 'os';

export interface Holder {
  pid: number;
  host: string;
}

let cachedHost: string | undefined;

/** This host: hostname, plus (on Linux) the boot id and the pid namespace, so a pid means one process. */
export function thisHost(): string {
  if (cachedHost !== undefined) return cachedHost;
  const parts = [os.hostname()];
  try {
    parts.push(fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    parts.push(fs.readlinkSync('/proc/self/ns/pid'));
  } catch {
    /* not Linux: the hostname alone */
  }
  return (cachedHost = parts.join('|'));
}

/** The current process as a lease holder. */
export function currentHolder(): Holder {
  return { pid: process.pid, host: thisHost() };
}

/** True only when the holder ran on this host and its process no longer exists. */
export function holderGone(h: { pid?: number; host?: string }): boolean {
  if (h.pid === undefined || h.host === undefined || h.host !== thisHost()) return false;
  if (h.pid === process.pid) return false;
  try {
    process.kill(h.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
