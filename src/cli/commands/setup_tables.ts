import type { Command } from 'commander';
import { targetOf, withCloud } from '../../cloud/open';
import type { Cloud } from '../../cloud/ports';
import { MIGRATION_TABLES } from '../../model/migration';
import { SYSTEM_REGION, TABLES } from '../../model/tables';

/**
 * The framework's system tables: Caribou's (every table of TABLES except the per-region
 * join table) and the migrator's lease and record tables.
 */
export const SYSTEM_TABLES: readonly string[] = [...Object.values(TABLES).filter((t) => t !== TABLES.syncMessages), ...Object.values(MIGRATION_TABLES)];

/** Creates every system table in SYSTEM_REGION (idempotent); returns their names. */
export async function setupTables(cloud: Cloud): Promise<string[]> {
  // one at a time: a fresh AWS account allows only a few tables in CREATING state at once
  for (const table of SYSTEM_TABLES) await cloud.tables.ensureTable(SYSTEM_REGION, table);
  return [...SYSTEM_TABLES];
}

/** Registers `caribou setup_tables`: creates the framework's tables in the system region. */
export function register(program: Command): void {
  program
    .command('setup_tables')
    .description(`create the framework's tables in the system region (${SYSTEM_REGION}); safe to run again`)
    .option('--json', 'print {"region", "tables"} as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const tables = await withCloud({ target: targetOf(cmd.optsWithGlobals().target) }, setupTables);
      if (opts.json) console.log(JSON.stringify({ region: SYSTEM_REGION, tables }));
      else for (const t of tables) console.log(`${SYSTEM_REGION} ${t}`);
    });
}
