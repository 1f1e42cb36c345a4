import type { Command } from 'commander';
import * as readline from 'node:readline/promises';
import { targetOf, withCloud } from '../../cloud/open';
import type { Cloud } from '../../cloud/ports';
import { listWorkflows, removeWorkflow } from '../../deploy/deployer';
import type { DeploymentResources } from '../../model/deployment-resources';
import { UserError } from '../../model/errors';
import { RegionCode } from '../../model/primitives';
import { SYSTEM_REGION, TABLES } from '../../model/tables';
import { SYSTEM_TABLES } from './setup_tables';
import { removeAllTimers } from './timers';

/** What teardown removed, and what it could not (e.g. a region not enabled for the account). */
export interface TeardownReport {
  timers: string[];
  workflows: string[];
  /** log groups of functions (AWS), which remove leaves to expire */
  logGroups: number;
  regions: string[];
  tables: string[];
  buckets: string[];
  problems: string[];
}

/** What only the AWS target has: package buckets, and function log groups that outlive their functions. */
interface AwsExtras {
  packages: { regions(): Promise<string[]>; dropBucket(region: string): Promise<void> };
  logs: { deleteFunctionLogGroups(region: string): Promise<number> };
  functions: { roles: { removeOwnBoundary(account: string): Promise<string | undefined> } };
  context: { accountId(): Promise<string> };
}

async function keysOrNone(cloud: Cloud, table: string): Promise<string[]> {
  try {
    return await cloud.tables.keys(SYSTEM_REGION, table);
  } catch (err) {
    if ((err as Error).name === 'MissingTableError') return [];
    throw err;
  }
}

/**
 * Removes the whole framework, in Caribou's order: timers, then every workflow (with all
 * its regions), then the join tables in every region Caribou may have used, then the
 * system tables, then (AWS) the package buckets. Carries on past a region that fails and
 * reports it, so one disabled region does not leave everything else behind.
 */
export async function teardownFramework(cloud: Cloud, log: (line: string) => void = () => undefined): Promise<TeardownReport> {
  const report: TeardownReport = { timers: [], workflows: [], logGroups: 0, regions: [], tables: [], buckets: [], problems: [] };
  report.timers = await removeAllTimers(cloud);
  for (const t of report.timers) log(`removed timer ${t}`);

  // Regions first, while the records that name them still exist.
  const regions = new Set<string>([SYSTEM_REGION]);
  const ids = new Set([...(await keysOrNone(cloud, TABLES.deploymentManagerResource)), ...(await keysOrNone(cloud, TABLES.deploymentResources))]);
  for (const id of ids) {
    const res = (await cloud.tables.get(SYSTEM_REGION, TABLES.deploymentResources, id).catch(() => undefined)) as DeploymentResources | undefined;
    for (const f of res?.functions ?? []) regions.add(f.region);
  }
  for (const key of await keysOrNone(cloud, TABLES.availableRegions)) {
    const code = key.replace(/^aws:/, '');
    if (RegionCode.is(code)) regions.add(code);
  }
  const aws = cloud.target === 'aws' ? (cloud as Cloud & AwsExtras) : undefined;
  const buckets = aws?.packages;
  for (const r of buckets ? await buckets.regions() : []) regions.add(r);

  for (const id of [...ids].sort()) {
    try {
      await removeWorkflow(cloud, id);
      report.workflows.push(id);
      log(`removed workflow ${id}`);
    } catch (err) {
      report.problems.push(`workflow ${id}: ${(err as Error).message}`);
    }
  }
  // list() may name workflows deployed meanwhile by the table scan above; remove those too
  for (const id of await listWorkflows(cloud).catch(() => [] as string[])) {
    if (report.workflows.includes(id)) continue;
    await removeWorkflow(cloud, id).then(
      () => report.workflows.push(id),
      (err: Error) => report.problems.push(`workflow ${id}: ${err.message}`),
    );
  }

  report.regions = [...regions].sort();
  for (const region of report.regions) {
    try {
      await cloud.tables.dropTable(region, TABLES.syncMessages);
      report.tables.push(`${region}/${TABLES.syncMessages}`);
    } catch (err) {
      // e.g. UnrecognizedClientException: an opt-in region not enabled for this account
      report.problems.push(`${TABLES.syncMessages} in ${region}: ${(err as Error).message}`);
    }
  }
  if (aws) {
    for (const region of report.regions) {
      try {
        report.logGroups += await aws.logs.deleteFunctionLogGroups(region);
      } catch (err) {
        report.problems.push(`log groups in ${region}: ${(err as Error).message}`);
      }
    }
    if (report.logGroups) log(`deleted ${report.logGroups} function log groups`);
  }
  for (const table of SYSTEM_TABLES) {
    await cloud.tables.dropTable(SYSTEM_REGION, table);
    report.tables.push(`${SYSTEM_REGION}/${table}`);
  }
  log(`deleted ${report.tables.length} tables`);

  if (aws) {
    // the workflow permissions boundary, when the CLI created it (the stack's stays with the stack)
    try {
      const arn = await aws.functions.roles.removeOwnBoundary(await aws.context.accountId());
      if (arn) log(`deleted the permissions boundary ${arn}`);
    } catch (err) {
      report.problems.push(`permissions boundary: ${(err as Error).message}`);
    }
  }
  if (buckets) {
    for (const region of await buckets.regions()) {
      try {
        await buckets.dropBucket(region);
        report.buckets.push(region);
        log(`deleted the package bucket in ${region}`);
      } catch (err) {
        report.problems.push(`bucket in ${region}: ${(err as Error).message}`);
      }
    }
  }
  return report;
}

async function confirm(target: string): Promise<void> {
  if (!process.stdin.isTTY) throw new UserError('teardown_framework deletes every workflow and table; pass --yes to confirm');
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`This removes every Caribou workflow, timer, table and bucket on target ${target}. Type "yes" to go on: `);
    if (answer.trim().toLowerCase() !== 'yes') throw new UserError('teardown cancelled');
  } finally {
    rl.close();
  }
}

/** Registers `caribou teardown_framework [-y]`. */
export function register(program: Command): void {
  program
    .command('teardown_framework')
    .description('remove every timer, workflow, join table, system table and (AWS) package bucket of the framework')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print what was removed and what could not be (the report) as JSON')
    .action(async (opts: { yes?: boolean; json?: boolean }, cmd: Command) => {
      const target = targetOf(cmd.optsWithGlobals().target);
      if (!opts.yes) await confirm(target);
      const report = await withCloud({ target }, (cloud) => teardownFramework(cloud, opts.json ? undefined : (l) => console.log(l)));
      if (opts.json) console.log(JSON.stringify(report));
      else console.log(`teardown done: ${report.workflows.length} workflows, ${report.timers.length} timers, ${report.tables.length} tables, ${report.buckets.length} buckets`);
      if (report.problems.length) {
        if (opts.json) {
          process.exitCode = 1;
          return;
        }
        console.error(`some parts could not be removed:\n  ${report.problems.join('\n  ')}`);
        process.exitCode = 1;
      }
    });
}
