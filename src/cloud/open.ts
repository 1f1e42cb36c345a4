import type { Cloud } from './ports';
import { UserError } from '../model/errors';

export interface OpenCloudOptions {
  target: 'local' | 'aws';
  /** local only: the state folder (default CARIBOU_HOME or `.caribou/local` of the current directory) */
  home?: string;
}

/**
 * The one place every command gets its cloud from. `local` opens the embedded cloud (its
 * state under `.caribou/local/`); `aws` loads the AWS adapters lazily, so local use never
 * loads the AWS SDK clients it does not need.
 */
export async function openCloud(opts: OpenCloudOptions): Promise<Cloud> {
  if (opts.target === 'local') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { openLocalCloud } = require('./local') as typeof import('./local');
    return openLocalCloud({ home: opts.home });
  }
  if (opts.target === 'aws') {
    let aws: { createAwsCloud?: () => Cloud | Promise<Cloud> };
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      aws = require('./aws');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && (err as Error).message.includes("'./aws'"))
        throw new UserError('AWS target not available yet');
      throw err;
    }
    if (typeof aws.createAwsCloud !== 'function') throw new UserError('AWS target not available yet');
    return aws.createAwsCloud();
  }
  throw new UserError(`unknown target "${String(opts.target)}": use --target local or --target aws`);
}

/** The target a CLI command asked for (root option --target, default CARIBOU_TARGET or local), checked. */
export function targetOf(value: unknown): 'local' | 'aws' {
  const v = String(value ?? process.env.CARIBOU_TARGET ?? 'local');
  if (v === 'local' || v === 'aws') return v;
  throw new UserError(`unknown target "${v}": use --target local or --target aws`);
}

/** Opens the cloud, runs `fn`, and always closes the cloud (releasing the local state lock). */
export async function withCloud<T>(opts: OpenCloudOptions, fn: (cloud: Cloud) => Promise<T>): Promise<T> {
  const cloud = await openCloud(opts);
  try {
    return await fn(cloud);
  } finally {
    await cloud.close();
  }
}
