/**
 * A workflow project on disk: `<dir>/app.ts` (the workflow source), `<dir>/.caribou/config.yml`
 * (the manifest) and `<dir>/.caribou/<iam_policy_file>`. Loading one validates all three and builds
 * the workflow config (the DAG) from the source without running it.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { DecodeError, decodeOrThrow } from '../model/decode';
import { UserError } from '../model/errors';
import { IamPolicyFile, Manifest, parseManifest } from '../model/manifest';
import { WorkflowConfig } from '../model/workflow-config';
import { buildWorkflowConfig, parseSource, scanSource } from './analyze';

/** The workflow source file every project has, relative to its directory. */
export const SOURCE_FILE = 'app.ts';
/** The manifest, relative to the project directory. */
export const MANIFEST_FILE = path.join('.caribou', 'config.yml');

/** A loaded, validated workflow project. */
export interface WorkflowProject {
  /** absolute path of the workflow directory */
  dir: string;
  manifest: Manifest;
  config: WorkflowConfig;
  /** absolute path of app.ts */
  sourceFile: string;
  /** the parsed IAM policy document (JSON) named by `iam_policy_file` */
  iamPolicy: unknown;
  /** registered functions no call site reaches (they are deployed but never run) */
  unreachable: string[];
}

/** Loads and validates the project in `dir`; throws UserError/DecodeError (plain sentences with paths) on any problem. */
export async function loadWorkflowProject(dir: string): Promise<WorkflowProject> {
  const abs = path.resolve(dir);
  const stat = await fs.stat(abs).catch(() => null);
  if (!stat || !stat.isDirectory()) throw new UserError(`workflow directory ${dir} does not exist`);
  const manifestPath = path.join(abs, MANIFEST_FILE);
  const sourceFile = path.join(abs, SOURCE_FILE);
  const manifestText = await readText(manifestPath, `no manifest at ${shown(dir, MANIFEST_FILE)}; is ${dir} a workflow directory? (create one with \`caribou new_workflow <name>\`)`);
  const sourceText = await readText(sourceFile, `no workflow source at ${shown(dir, SOURCE_FILE)}; a workflow directory has an app.ts that does \`export default wf\``);

  const raw = parseYaml(manifestText, shown(dir, MANIFEST_FILE));
  // Function names feed the 64-character Lambda-name check of the manifest.
  const names = scanSource(parseSource(sourceFile, sourceText)).functions.map((f) => f.name);
  const manifest = parseManifest(raw, shown(dir, MANIFEST_FILE), names);

  const policyPath = path.join(abs, '.caribou', manifest.iam_policy_file);
  const policyText = await readText(policyPath, `the IAM policy file ${shown(dir, path.join('.caribou', manifest.iam_policy_file))} named by iam_policy_file does not exist`);
  const policyShown = shown(dir, path.join('.caribou', manifest.iam_policy_file));
  let iamPolicy: unknown;
  try {
    iamPolicy = JSON.parse(policyText);
  } catch (e) {
    throw new UserError(`${policyShown} is not valid JSON: ${(e as Error).message}`);
  }
  decodeOrThrow(IamPolicyFile, iamPolicy, policyShown);

  const { config, unreachable } = buildWorkflowConfig(manifest, sourceFile, sourceText, { dir: abs });
  return { dir: abs, manifest, config, sourceFile, iamPolicy, unreachable };
}

/** Parses manifest YAML; syntax errors become one UserError with file:line:column per problem. */
export function parseYaml(text: string, shownPath: string): unknown {
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const lp = e.linePos?.[0];
      const msg = e.message.split('\n')[0];
      return `  ${shownPath}${lp ? `:${lp.line}:${lp.col}` : ''}: ${msg}`;
    });
    throw new UserError(`${shownPath} is not valid YAML:\n${lines.join('\n')}`);
  }
  const value = doc.toJS();
  if (value === null || value === undefined) throw new DecodeError(shownPath, [{ path: '', expected: 'a mapping with workflow_name, workflow_version, …', found: 'an empty file' }]);
  return value;
}

async function readText(file: string, missing: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(missing);
    throw new UserError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

function shown(dir: string, rel: string): string {
  return path.join(dir, rel);
}
