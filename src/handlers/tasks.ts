/**
 * The registry of CaribouCycle's tasks: the name in each Task's `Resource` placeholder
 * (`${collectProvider}`) is the function name in serverless.yml, the export of
 * src/handlers/aws.ts, and the key here. The local cloud runs these same functions.
 */
import type { Cloud } from '../cloud/ports';
import { collectCarbonTask, collectPerformanceTask, collectProviderTask, decideTask, migrateTask, syncLogsTask } from './control';
import { solveEvaluate, solvePrepare, solveSelect, solveStage } from './solve';

export const TASK_NAMES = [
  'collectProvider',
  'collectCarbon',
  'collectPerformance',
  'syncLogs',
  'decide',
  'solvePrepare',
  'solveEvaluate',
  'solveSelect',
  'solveStage',
  'migrate',
] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/** Every task bound to a cloud. */
export function taskHandlers(cloud: Cloud): Record<TaskName, (input: unknown) => Promise<unknown>> {
  return {
    collectProvider: () => collectProviderTask(cloud),
    collectCarbon: () => collectCarbonTask(cloud),
    collectPerformance: () => collectPerformanceTask(cloud),
    syncLogs: () => syncLogsTask(cloud),
    decide: (i) => decideTask(cloud, i),
    solvePrepare: (i) => solvePrepare(cloud, i),
    solveEvaluate: (i) => solveEvaluate(cloud, i),
    solveSelect: (i) => solveSelect(cloud, i),
    solveStage: (i) => solveStage(cloud, i),
    migrate: (i) => migrateTask(cloud, i),
  };
}
