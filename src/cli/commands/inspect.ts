import type { Command } from 'commander';
import { loadWorkflowProject, WorkflowProject } from '../../deploy/project';
import { describePolicyPlan, policyPlan } from '../../deploy/policy-plan';
import { assertTypeChecks } from '../../deploy/typecheck';

/** Registers `caribou inspect`: the DAG read from the source, in words or as the workflow config JSON. */
export function register(program: Command): void {
  program
    .command('inspect')
    .description('show the DAG Caribou reads from a workflow (instances, edges, joins); nothing is run or deployed')
    .option('-p, --workflow-dir <dir>', 'the workflow directory (holding app.ts and .caribou/)', process.cwd())
    .option('--json', 'print the workflow config record (workflow_id, instances, functions, …) as JSON')
    .option('--policy', 'print the IAM documents deploy attaches on AWS (runtime part, user part, permissions boundary)')
    .option('--account <id>', 'with --policy: the AWS account to write into the ARNs (default CARIBOU_AWS_ACCOUNT_ID, else <ACCOUNT_ID>)')
    .action(async (opts: { workflowDir: string; json?: boolean; policy?: boolean; account?: string }) => {
      const project = await loadWorkflowProject(opts.workflowDir);
      assertTypeChecks(project.sourceFile, 'fix them before deploying');
      if (opts.policy) {
        const plan = policyPlan(project, opts.account ?? (process.env.CARIBOU_AWS_ACCOUNT_ID || undefined));
        console.log(opts.json ? JSON.stringify(plan, null, 2) : describePolicyPlan(plan));
        return;
      }
      console.log(opts.json ? JSON.stringify(project.config, null, 2) : describeProject(project));
    });
}

/** The DAG of a project in plain words, one instance per paragraph, in DAG-index (topological) order. */
export function describeProject(project: WorkflowProject): string {
  const c = project.config;
  const joins = c.instances.filter((i) => i.join_slots);
  const edges = c.instances.reduce((n, i) => n + i.call_sites.length, 0);
  const lines: string[] = [];
  lines.push(`workflow ${c.workflow_id}  (home ${c.home_region.provider}:${c.home_region.region}, source ${c.source_file})`);
  lines.push(`${c.functions.length} functions, ${c.instances.length} instances, ${edges} call-site edges, ${joins.length} joins`);
  lines.push('');
  c.instances.forEach((inst, i) => {
    const fn = c.functions.find((f) => f.name === inst.function_name);
    const tags = [inst.entry_point ? 'entry point' : '', inst.join_slots ? `join, ${inst.join_slots.length} slots` : ''].filter(Boolean).join(', ');
    lines.push(`[${i}] ${inst.instance_name}`);
    lines.push(`    function ${inst.function_name}${tags ? ` (${tags})` : ''}${fn ? `, ${fn.memory} MB, ${fn.timeout} s` : ''}`);
    for (const slot of inst.join_slots ?? []) lines.push(`    waits for ${slot}`);
    for (const s of inst.call_sites) lines.push(`    site ${s.site} → ${s.successor}`);
    if (inst.call_sites.length === 0) lines.push('    (no successors)');
  });
  if (project.unreachable.length > 0) {
    lines.push('');
    lines.push(`warning: never invoked from the entry point, so no instance: ${project.unreachable.join(', ')}`);
  }
  return lines.join('\n');
}
