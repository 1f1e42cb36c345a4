import type { Command } from 'commander';
import { targetOf, withCloud } from '../../cloud/open';
import { DECIDE, manageDeployments } from '../../decide';
import { UserError } from '../../model/errors';
import { collectWorkflowSummaries } from '../../handlers/control';
import { exitCodeOfSolve, solveAndStage, type SolveOutcome } from '../../control/solve-loop';

/** Registers `caribou manage_deployments`: the deployment manager on its own, outside the cycle. */
export function register(program: Command): void {
  program
    .command('manage_deployments')
    .description('decide, per workflow, whether a solve is worth its overhead and how many hour slots a day; solve and stage the due ones (run_deployment_migrator then applies them)')
    .option('--force', 'ignore each workflow\'s next check time')
    .option('-w, --workflow <id...>', 'only these workflows')
    .option('--decide-only', 'print the verdicts without solving')
    .option('--solves-per-day <n>', 'solve this many hour slots a day (1,2,3,4,6,8,12,24) whatever the budget affords')
    .option('--json', 'print one line: {"decisions":[...],"staged":[...]}')
    .action(async (opts: { force?: boolean; workflow?: string[]; decideOnly?: boolean; solvesPerDay?: string; json?: boolean }, cmd: Command) => {
      const solvesPerDay = opts.solvesPerDay === undefined ? undefined : Number(opts.solvesPerDay);
      if (solvesPerDay !== undefined && !(DECIDE.SOLVES_PER_DAY as readonly number[]).includes(solvesPerDay))
        throw new UserError(`--solves-per-day must be one of ${DECIDE.SOLVES_PER_DAY.join(', ')}; got "${opts.solvesPerDay}"`);
      const target = targetOf(cmd.optsWithGlobals().target);
      const result = await withCloud({ target }, async (cloud) => {
        await collectWorkflowSummaries(cloud, opts.workflow);
        const now = cloud.now();
        const decisions = await manageDeployments(cloud.tables, { now, force: opts.force, workflows: opts.workflow, solvesPerDay });
        const staged: SolveOutcome[] = [];
        // the Solve sub-machine of CaribouCycle, in-process: the cycle's own loop and tasks
        if (!opts.decideOnly) for (const d of decisions.filter((x) => x.action === 'solve')) staged.push(await solveAndStage(cloud, d));
        return { decisions, staged };
      });
      if (opts.json) console.log(JSON.stringify(result));
      else {
        if (!result.decisions.length) console.log('no deployed workflows');
        for (const d of result.decisions) console.log(`${d.workflow_id}: ${d.action}${d.action === 'solve' ? ` (${d.algorithm}, ${d.solves_per_day}/day: hours ${d.solve_hours?.join(',')})` : ''}\n  ${d.reason}`);
        for (const s of result.staged) console.log(`${s.workflow_id}: plan ${s.status}${s.status === 'failed' ? ` — ${s.error}` : ' (apply it with caribou run_deployment_migrator)'}`);
      }
      // a plan that was not staged: 1 when the input or state is at fault, 2 when we are
      const code = Math.max(0, ...result.staged.map(exitCodeOfSolve));
      if (code) process.exitCode = code;
    });
}
