import { randomUUID } from 'crypto';

/** A fresh run id: 32 hex digits, like Caribou's uuid4().hex. */
export function newRunId(): string {
  return randomUUID().replace(/-/g, '');
}
