import { strict as assert } from 'assert';
import { describeCycle, progressRenderer } from '../../src/cli/commands/cycle';
import type { ExecutionEvent } from '../../src/cloud/ports';

describe('cycle: progress view', () => {
  it('shows states entering and exiting, failures, and a bar per round of batches', () => {
    let out = '';
    const render = progressRenderer((s) => (out += s), false);
    const detail = JSON.stringify({ total: 2, workflow_id: 'wf-1', round: 1 });
    const ev: ExecutionEvent[] = [
      { time: 0, type: 'StateEntered', state: 'Collect' },
      { time: 1500, type: 'StateExited', state: 'Collect' },
      { time: 1600, type: 'TaskFailed', state: 'SyncLogs', detail: 'retrying (attempt 1)' },
      { time: 1700, type: 'MapIterationStarted', state: 'EvaluateBatches', index: 0, detail },
      { time: 1800, type: 'MapIterationSucceeded', state: 'EvaluateBatches', index: 0, detail },
      { time: 1900, type: 'MapIterationSucceeded', state: 'EvaluateBatches', index: 1, detail },
      { time: 2000, type: 'ExecutionSucceeded' },
    ];
    ev.forEach(render);
    assert.match(out, /▶ Collect\n✔ Collect \(1\.5 s\)/);
    assert.match(out, /✖ SyncLogs: retrying \(attempt 1\)/);
    assert.match(out, /wf-1 round 1 \[█+\] 2\/2 batches/);
  });

  it('summarises a finished cycle in words', () => {
    const text = describeCycle({
      execution: 'x',
      status: 'SUCCEEDED',
      seconds: 3.2,
      output: {
        decide: { decisions: [{ workflow_id: 'wf-1', action: 'solve', reason: 'benefit 3 affords 24' }] },
        solve: [{ workflow_id: 'wf-1', status: 'staged', carbon: { home: 2e-5, chosen: 2e-6 } }],
        migrate: { workflows: [{ workflow_id: 'wf-1', status: 'migrated', deployed: ['a@ca-central-1'], removed: [], retiring: [], migrated_instances: 1 }] },
      },
    });
    assert.match(text, /decide {3}wf-1: solve/);
    assert.match(text, /solve {4}wf-1: staged/);
    assert.match(text, /deployed a@ca-central-1/);
  });
});
