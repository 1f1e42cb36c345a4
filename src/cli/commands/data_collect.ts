import type { Command } from 'commander';
import { withCloud, targetOf } from '../../cloud/open';
import { UserError } from '../../model/errors';
import { TABLES } from '../../model/tables';
import { collectCarbon, collectPerformance, collectProvider } from '../../collect';
import type { CollectOptions, CollectReport } from '../../collect';
import type { KeyValueStore } from '../../cloud/ports/key-value';
import { SNAPSHOT_ATTRIBUTION } from '../../data/snapshot';

const WHAT = ['provider', 'carbon', 'performance', 'workflow', 'all'] as const;
type What = (typeof WHAT)[number];

interface Flags {
  workflowId?: string;
  date?: string;
  regions?: string;
  snapshot?: boolean;
  json?: boolean;
}

/** What the workflow collector did: the record it wrote, or why it wrote none. */
interface WorkflowCollected {
  workflow_id?: string;
  table?: string;
  instances?: number;
  note?: string;
}

/** Registers `caribou data_collect <provider|carbon|performance|workflow|all>`. */
export function register(program: Command): void {
  program
    .command('data_collect')
    .description('collect region data (prices, hourly carbon, latency) or a workflow summary into the tables of the target cloud')
    .argument('<what>', `one of ${WHAT.join(', ')}`)
    .option('-w, --workflow-id <id>', 'workflow to collect (for "workflow")')
    .option('--date <iso>', 'the UTC date the carbon hours describe (default: the cloud clock\'s today)')
    .option('-r, --regions <codes>', 'comma-separated region codes (default: every available region)')
    .option('--snapshot', 'use only the bundled snapshot, even when live sources are configured')
    .option('--json', 'print {"reports": [{collector, written, sources, warnings}], "workflow", "attribution"} as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Sources: the bundled snapshot (src/data) unless a live source is configured:',
        '  ELECTRICITY_MAPS_AUTH_TOKEN=<token>      carbon from Electricity Maps (history + day-ahead forecast)',
        '  CARIBOU_PRICE_SOURCE=aws-price-list      prices from the public AWS Price List offer files',
        '  CARIBOU_LATENCY_SOURCE=cloudping         latency percentiles from cloudping.co (CARIBOU_LATENCY_URL to override)',
        'A live source that fails falls back to the snapshot for the regions concerned, with a warning.',
      ].join('\n'),
    )
    .action(async (what: string, flags: Flags) => {
      if (!(WHAT as readonly string[]).includes(what)) throw new UserError(`data_collect: unknown collector "${what}"; use one of ${WHAT.join(', ')}`);
      const date = flags.date === undefined ? undefined : parseDate(flags.date);
      const target = targetOf(program.opts().target);
      await withCloud({ target }, async (cloud) => {
        const opts: CollectOptions = {
          date: date ?? cloud.now(),
          regions: flags.regions ? flags.regions.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
          live: flags.snapshot ? false : undefined,
          warn: (m) => console.error(`warning: ${m}`),
        };
        const w = what as What;
        const reports: CollectReport[] = [];
        if (w === 'provider' || w === 'all') reports.push(await collectProvider(cloud.tables, opts));
        if (w === 'carbon' || w === 'all') reports.push(await collectCarbon(cloud.tables, opts));
        if (w === 'performance' || w === 'all') reports.push(await collectPerformance(cloud.tables, opts));
        let workflow: WorkflowCollected | undefined;
        if (w === 'all' && !flags.workflowId) workflow = { note: 'not collected (give -w <workflow_id> to include a workflow)' };
        if (w === 'workflow' || (w === 'all' && flags.workflowId)) workflow = await collectWorkflowCommand(cloud.tables, flags.workflowId, cloud.now());
        const attribution = w === 'workflow' ? undefined : SNAPSHOT_ATTRIBUTION;
        if (flags.json) {
          console.log(JSON.stringify({ reports, ...(workflow ? { workflow } : {}), ...(attribution ? { attribution } : {}) }));
          return;
        }
        for (const r of reports) print(r);
        if (workflow) console.log(describeWorkflow(workflow));
        if (attribution) console.log(`(${attribution})`);
      });
    });
}

function parseDate(s: string): Date {
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
  if (Number.isNaN(d.getTime())) throw new UserError(`--date: "${s}" is not an ISO date such as 2026-11-22 or 2026-11-22T13:00:00Z`);
  return d;
}

/** One line per table written, then where the records came from. */
function print(r: CollectReport): void {
  for (const [table, keys] of Object.entries(r.written)) console.log(`${r.collector}: wrote ${keys.length} record(s) to ${table}: ${keys.join(', ')}`);
  // group by the kind of source (the text before ':'), so 25 snapshot profiles read as one line
  const bySource = new Map<string, string[]>();
  for (const [region, source] of Object.entries(r.sources)) {
    const kind = source.split(':')[0];
    bySource.set(kind, [...(bySource.get(kind) ?? []), region]);
  }
  for (const [source, regions] of bySource) console.log(`  source ${source}: ${regions.length === Object.keys(r.sources).length ? 'all regions' : regions.join(', ')}`);
  if (r.warnings.length) console.log(`  ${r.warnings.length} warning(s), see above`);
}

function describeWorkflow(w: WorkflowCollected): string {
  if (w.note !== undefined) return `workflow: ${w.note}`;
  return `workflow: wrote 1 record to ${w.table}: ${w.workflow_id}${w.instances === undefined ? '' : ` (${w.instances} instance summaries)`}`;
}

/**
 * The workflow collector belongs to the log-sync area (src/collect/workflow). It is loaded lazily so
 * this command keeps working while that module changes or is absent.
 */
async function collectWorkflowCommand(tables: KeyValueStore, workflowId: string | undefined, now: Date): Promise<WorkflowCollected> {
  if (!workflowId) throw new UserError('data_collect workflow: give the workflow with -w <workflow_id>');
  let mod: { collectWorkflow?: (tables: KeyValueStore, workflowId: string, now: Date) => Promise<unknown> };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('../../collect/workflow');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return { note: 'the workflow collector is not available yet (it arrives with the log-sync work); nothing collected' };
    throw err;
  }
  if (typeof mod.collectWorkflow !== 'function') return { note: 'the workflow collector is not available yet; nothing collected' };
  const record = await mod.collectWorkflow(tables, workflowId, now);
  const instances = record && typeof record === 'object' && 'instance_summary' in record ? Object.keys((record as { instance_summary: object }).instance_summary).length : undefined;
  return { workflow_id: workflowId, table: TABLES.workflowInstance, ...(instances === undefined ? {} : { instances }) };
}
