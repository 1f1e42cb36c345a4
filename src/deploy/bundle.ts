import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as esbuild from 'esbuild';
import { UserError } from '../model/errors';
import type { WorkflowConfig } from '../model/workflow-config';
import { caribouSitesPlugin } from './instrument';
import { packageRoot } from '../paths';

/**
 * Where the compiled-or-source tree holding sdk/ and src/ is: the repository in a checkout (.ts,
 * run by tsx), dist/ in an installed package (.js). Both have the same layout below it, so the
 * entry module imports without extensions and esbuild picks whichever file exists.
 */
const ROOT = path.resolve(__dirname, '../..');
/**
 * In a checkout `caribou-ts/sdk` (a workflow that links the repository as its caribou-ts) must
 * resolve to the SDK's source, as dist/ may be absent or stale: package.json's exports name it
 * under the `caribou-source` condition, which only a CLI running from source asks for.
 */
const CONDITIONS = __filename.endsWith('.ts') ? ['caribou-source'] : [];

/** The Lambda handler inside every bundle. */
export const BUNDLE_HANDLER = 'index.handler';
/** Lambda's Node runtime the bundles are built for. */
export const LAMBDA_RUNTIME = 'nodejs22.x';

/** A built code package: one CommonJS file. */
export interface Bundle {
  code: Uint8Array;
  /** sha256 of the code, hex */
  sha256: string;
}

/**
 * The entry module of a function package. Every function of a workflow shares one bundle
 * (as Caribou shares one image): the workflow, its config, and the SDK runtime around them.
 * `runtime` is what the local cloud calls (`runtime.handle(env, message)`); `handler` is
 * the Lambda entry (src/cloud/aws/lambda-entry.ts: SNS records → runtime.handle with the AWS
 * adapters; the AWS SDK it imports stays external, Lambda's Node runtime provides it).
 */
function entrySource(sourceFile: string, config: WorkflowConfig): string {
  const rel = (p: string) => JSON.stringify(p.split(path.sep).join('/'));
  const lambda = path.join(ROOT, 'src', 'cloud', 'aws', 'lambda-entry');
  const lines = [
    `import wf from ${rel(sourceFile)};`,
    `import { createRuntime } from ${rel(path.join(ROOT, 'sdk', 'runtime', 'index'))};`,
    `export const config = ${JSON.stringify(config)};`,
    `export const workflow = wf;`,
    `export const runtime = createRuntime(wf, config);`,
  ];
  if (fs.existsSync(`${lambda}.ts`) || fs.existsSync(`${lambda}.js`)) {
    lines.push(`import { lambdaHandler } from ${rel(lambda)};`);
    lines.push(`export const handler = lambdaHandler(runtime);`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Bundles a workflow with esbuild: its source instrumented with call-site indices
 * (caribouSitesPlugin), the SDK runtime, for Node 22 (Lambda nodejs22.x). The AWS SDK stays
 * external (Lambda provides it). Build errors become one UserError listing them.
 */
export async function bundleWorkflow(project: { sourceFile: string; config: WorkflowConfig }): Promise<Bundle> {
  let result: esbuild.BuildResult<{ write: false }>;
  try {
    result = await esbuild.build({
      stdin: { contents: entrySource(project.sourceFile, project.config), resolveDir: path.dirname(project.sourceFile), sourcefile: 'caribou-entry.ts', loader: 'ts' },
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      write: false,
      external: ['@aws-sdk/*'],
      conditions: CONDITIONS,
      plugins: [caribouSitesPlugin({ files: [project.sourceFile] }), shippedExamplesPlugin()],
      logLevel: 'silent',
      legalComments: 'none',
      sourcemap: false,
    });
  } catch (err) {
    const failure = err as esbuild.BuildFailure;
    if (Array.isArray(failure.errors)) {
      const lines = failure.errors.map((e) => `  ${e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ` : ''}${e.text}`);
      throw new UserError(`the workflow could not be bundled:\n${lines.join('\n')}`);
    }
    throw err;
  }
  const code = result.outputFiles[0].contents;
  return { code, sha256: createHash('sha256').update(code).digest('hex') };
}

/**
 * The examples shipped in the package (what `caribou quickstart` deploys) import the SDK by
 * relative path, `../../sdk`, which in an installed package is dist/sdk: point such imports
 * there. In a checkout ROOT is the package root and nothing changes.
 */
function shippedExamplesPlugin(): esbuild.Plugin {
  const sourceSdk = path.join(packageRoot(), 'sdk');
  return {
    name: 'caribou-shipped-examples',
    setup(build) {
      if (ROOT === packageRoot()) return;
      build.onResolve({ filter: /sdk\/?$/ }, (args) =>
        path.resolve(args.resolveDir, args.path) === sourceSdk ? { path: path.join(ROOT, 'sdk', 'index.js') } : undefined,
      );
    },
  };
}
