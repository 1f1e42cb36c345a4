import { parseManifest } from '../../../src/model/manifest';

/** A virtual source path for analyses of in-memory sources. */
export const FILE = '/virtual/app.ts';

/** A minimal valid manifest for workflow `w` version 0.0.1. */
export const MANIFEST = parseManifest({
  workflow_name: 'w',
  workflow_version: '0.0.1',
  iam_policy_file: 'iam_policy.json',
  home_region: { provider: 'aws', region: 'us-east-1' },
  regions_and_providers: { providers: { aws: { config: { memory: 128, timeout: 60 } } } },
});
