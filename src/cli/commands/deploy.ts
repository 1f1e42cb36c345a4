import type { Command } from 'commander';
import { targetOf, withCloud } from '../../cloud/open';
import { deployWorkflow } from '../../deploy/deployer';
import { loadWorkflowProject } from '../../deploy/project';
import { assertTypeChecks } from '../../deploy/typecheck';

/** Registers `caribou deploy`: bundles the workflow and deploys it to its home region; prints the workflow id. */
export function register(program: Command): void {
  program
    .command('deploy')
    .description('deploy a workflow to its home region (functions, topics, join table, placement decision); prints its id')
    .option('-p, --workflow-dir <dir>', 'the workflow directory (holding app.ts and .caribou/)', process.cwd())
    .option('--allow-service-wide-grants', 'let iam_policy.json grant a whole service or every resource of one (printed as warnings; the workflow boundary still caps it)')
    .option('--json', 'print {"workflow_id"} as JSON')
    .action(async (opts: { workflowDir: string; allowServiceWideGrants?: boolean; json?: boolean }, cmd: Command) => {
      const project = await loadWorkflowProject(opts.workflowDir);
      assertTypeChecks(project.sourceFile);
      const id = await withCloud({ target: targetOf(cmd.optsWithGlobals().target) }, (cloud) =>
        deployWorkflow(cloud, project, { allowServiceWideGrants: opts.allowServiceWideGrants, warn: (m) => console.error(m) }),
      );
      console.log(opts.json ? JSON.stringify({ workflow_id: id }) : id);
    });
}
