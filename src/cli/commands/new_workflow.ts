import type { Command } from 'commander';
import { promises as fs } from 'fs';
import * as path from 'path';
import { UserError } from '../../model/errors';
import { WorkflowName } from '../../model/primitives';
import { packageRoot } from '../../paths';

/** The scaffold's files: template file (under src/deploy/template) → file written in the new workflow. */
const FILES: Array<[string, string]> = [
  ['app.ts.template', 'app.ts'],
  ['README.md.template', 'README.md'],
  [path.join('.caribou', 'config.yml.template'), path.join('.caribou', 'config.yml')],
  [path.join('.caribou', 'iam_policy.json.template'), path.join('.caribou', 'iam_policy.json')],
  // not named .gitignore: npm leaves such files out of the package
  ['gitignore.template', '.gitignore'],
];
const TEMPLATE_DIR = path.join(packageRoot(), 'src', 'deploy', 'template');
/** How a workflow outside this repository imports the SDK (after installing this package). */
export const PACKAGE_SDK_IMPORT = 'caribou-ts/sdk';

/** Registers `caribou new_workflow <name>`: scaffolds a runnable workflow directory. */
export function register(program: Command): void {
  program
    .command('new_workflow')
    .description('create a new workflow directory <name> with app.ts, .caribou/config.yml and .caribou/iam_policy.json')
    .argument('<name>', 'workflow name: 1 to 25 characters of A-Z, a-z, 0-9 or _')
    .option('-d, --directory <dir>', 'where to create the workflow directory', process.cwd())
    .action(async (name: string, opts: { directory: string }) => {
      const dir = await scaffoldWorkflow(name, opts.directory);
      console.log(`created workflow ${name} in ${dir}`);
      // each line runs as printed (tests/examples/new_workflow-printed.test.ts runs them)
      const rel = path.relative(process.cwd(), dir) || '.';
      const shown = /^[\w@%+=:,./-]+$/.test(rel) ? rel : `'${rel.replace(/'/g, `'\\''`)}'`;
      console.log('next:');
      console.log(`  npx caribou inspect --workflow-dir ${shown}`);
      console.log(`  npx caribou deploy --workflow-dir ${shown}`);
      console.log(`  npx caribou run ${name}-0.0.1 --wait`);
    });
}

/** Writes a new workflow `<parent>/<name>`; returns its absolute path. Refuses to overwrite anything. */
export async function scaffoldWorkflow(name: string, parent: string): Promise<string> {
  if (!WorkflowName.is(name)) throw new UserError(`workflow name "${name}" is not valid: use 1 to 25 characters of A-Z, a-z, 0-9 or _`);
  const dir = path.resolve(parent, name);
  const existing = await fs.readdir(dir).catch(() => null);
  if (existing && existing.length > 0) throw new UserError(`${dir} already exists and is not empty; choose another name or directory`);
  const sdkImport = sdkImportFor(dir);
  const files = [...FILES];
  // Outside this repository the new workflow needs its own tsconfig to be type-checked.
  if (sdkImport === PACKAGE_SDK_IMPORT) files.push(['tsconfig.json.template', 'tsconfig.json']);
  for (const [from, to] of files) {
    const text = await fs.readFile(path.join(TEMPLATE_DIR, from), 'utf8');
    const out = text
      .replace(/\{\{workflow_name\}\}/g, name)
      .replace(/\{\{sdk_import\}\}/g, sdkImport)
      // relative to the manifest, so editors find the schema wherever the package is installed
      .replace(/\{\{schema_path\}\}/g, docPath(dir, 'manifest.schema.json'))
      .replace(/\{\{docs_path\}\}/g, docPath(dir, 'manifest.md'));
    await fs.mkdir(path.dirname(path.join(dir, to)), { recursive: true });
    await fs.writeFile(path.join(dir, to), out);
  }
  return dir;
}

/** The SDK import for a workflow in `dir`: relative inside this repository, the package path outside. */
export function sdkImportFor(dir: string): string {
  const rel = path.relative(packageRoot(), dir);
  const inside = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) && !rel.split(path.sep).includes('node_modules');
  if (!inside) return PACKAGE_SDK_IMPORT;
  const toSdk = path.relative(dir, path.join(packageRoot(), 'sdk')).split(path.sep).join('/');
  return toSdk.startsWith('.') ? toSdk : `./${toSdk}`;
}

/** A file of this package's docs/, relative to the new workflow's .caribou/ folder. */
function docPath(dir: string, file: string): string {
  return path.relative(path.join(dir, '.caribou'), path.join(packageRoot(), 'docs', file)).split(path.sep).join('/');
}
