/**
 * Lambda entry points of the control plane (serverless.yml: `handler: src/handlers/aws.<task>`).
 * One warm container opens the AWS cloud once and reuses it.
 */
import '../polyfill';
import type { Cloud } from '../cloud/ports';
import { openCloud } from '../cloud/open';
import { taskHandlers, type TaskName } from './tasks';

let cloud: Promise<Cloud> | undefined;

function lambda(name: TaskName): (event: unknown) => Promise<unknown> {
  return async (event) => {
    cloud ??= openCloud({ target: 'aws' });
    return taskHandlers(await cloud)[name](event);
  };
}

export const collectProvider = lambda('collectProvider');
export const collectCarbon = lambda('collectCarbon');
export const collectPerformance = lambda('collectPerformance');
export const syncLogs = lambda('syncLogs');
export const decide = lambda('decide');
export const solvePrepare = lambda('solvePrepare');
export const solveEvaluate = lambda('solveEvaluate');
export const solveSelect = lambda('solveSelect');
export const solveStage = lambda('solveStage');
export const migrate = lambda('migrate');
