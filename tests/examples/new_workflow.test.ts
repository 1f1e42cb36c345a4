import { strict as assert } from 'assert';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { PACKAGE_SDK_IMPORT, scaffoldWorkflow, sdkImportFor } from '../../src/cli/commands/new_workflow';
import { loadWorkflowProject } from '../../src/deploy/project';
import { UserError } from '../../src/model/errors';
import { loadBundledWorkflow, resultsOf, runOnce } from './harness';

const ROOT = path.resolve(__dirname, '..', '..');

/** Type errors of a scaffolded app.ts under strict settings. */
function typeErrors(file: string): string[] {
  const program = ts.createProgram([file], { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, noEmit: true, skipLibCheck: true, types: ['node'] });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
}

describe('caribou new_workflow', function () {
  this.timeout(60000);

  it('picks the SDK import: relative inside this repository, the package path outside', () => {
    assert.equal(sdkImportFor(path.join(ROOT, 'examples', 'mine')), '../../sdk');
    assert.equal(sdkImportFor(path.join(ROOT, 'mine')), '../sdk');
    assert.equal(sdkImportFor(path.join(os.tmpdir(), 'mine')), PACKAGE_SDK_IMPORT);
    assert.equal(sdkImportFor(path.join(ROOT, 'node_modules', 'x', 'mine')), PACKAGE_SDK_IMPORT);
  });

  it('outside the repository: a workflow that type-checks, that inspect accepts, and that runs (package installed as caribou-ts)', async () => {
    const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'caribou-new-'));
    // what `npm install <this repo>` gives a user's project
    await fs.mkdir(path.join(parent, 'node_modules'));
    await fs.symlink(ROOT, path.join(parent, 'node_modules', 'caribou-ts'), 'dir');
    const dir = await scaffoldWorkflow('hello_flow', parent);
    assert.deepEqual((await fs.readdir(dir)).sort(), ['.caribou', '.gitignore', 'README.md', 'app.ts', 'tsconfig.json']);
    assert.match(await fs.readFile(path.join(dir, 'app.ts'), 'utf8'), /from 'caribou-ts\/sdk'/);
    assert.deepEqual(typeErrors(path.join(dir, 'app.ts')), []);
    const project = await loadWorkflowProject(dir);
    assert.deepEqual(project.config.instances.map((i) => i.instance_name), ['hello_flow-0_0_1-hello:entry_point:0', 'hello_flow-0_0_1-world:hello_flow-0_0_1-hello_0_0:1']);
    const wf = await loadBundledWorkflow(project);
    const runs = await runOnce(project, wf, { name: 'Caribou' });
    assert.deepEqual(resultsOf(project, runs, 'world'), [{ words: 2 }]);
  });

  it('inside the repository: imports the SDK by relative path, and runs', async () => {
    const parent = await fs.mkdtemp(path.join(ROOT, '.new-workflow-test-'));
    try {
      const dir = await scaffoldWorkflow('inside', parent);
      assert.match(await fs.readFile(path.join(dir, 'app.ts'), 'utf8'), /from '\.\.\/\.\.\/sdk'/);
      assert.ok(!(await fs.readdir(dir)).includes('tsconfig.json'), 'the repository tsconfig applies');
      const project = await loadWorkflowProject(dir);
      const runs = await runOnce(project, await loadBundledWorkflow(project), {});
      assert.deepEqual(resultsOf(project, runs, 'world'), [{ words: 2 }]);
    } finally {
      await fs.rm(parent, { recursive: true, force: true });
    }
  });

  it('refuses a bad name or a non-empty target', async () => {
    const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'caribou-new-'));
    await assert.rejects(scaffoldWorkflow('has-dash', parent), (e: unknown) => e instanceof UserError && /workflow name "has-dash" is not valid/.test(e.message));
    await scaffoldWorkflow('twice', parent);
    await assert.rejects(scaffoldWorkflow('twice', parent), (e: unknown) => e instanceof UserError && /already exists and is not empty/.test(e.message));
  });
});
