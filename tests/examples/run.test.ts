import { strict as assert } from 'assert';
import * as path from 'path';
import type { Workflow } from '../../sdk';
import { loadWorkflowProject, WorkflowProject } from '../../src/deploy/project';
import { DOCUMENTS } from '../../examples/map_reduce/data';
import { countWords } from '../../examples/map_reduce/words';
import { TEXTS } from '../../examples/text_2_speech_censoring/data';
import { InstanceRun, loadBundledWorkflow, resultsOf, runOnce } from './harness';

const ROOT = path.resolve(__dirname, '..', '..');

/** Loads and bundles an example once per suite. */
function example(name: string): () => Promise<{ project: WorkflowProject; wf: Workflow }> {
  let cached: Promise<{ project: WorkflowProject; wf: Workflow }> | undefined;
  return () =>
    (cached ??= (async () => {
      const project = await loadWorkflowProject(path.join(ROOT, 'examples', name));
      return { project, wf: await loadBundledWorkflow(project) };
    })());
}

function ranCount(project: WorkflowProject, runs: Map<string, InstanceRun>, fn: string): number {
  return project.config.instances.filter((i) => i.function_name === fn && runs.get(i.instance_name)!.ran).length;
}

describe('example workflows run (bundled with call-site instrumentation, one run in process)', () => {
  const mapReduce = example('map_reduce');
  it('map_reduce: the word counts equal a direct count of the bundled text, with 6 mappers and with 2', async () => {
    const { project, wf } = await mapReduce();
    const direct = countWords(DOCUMENTS.reviews);
    for (const [payload, mappers] of [[{}, 6], [{ max_workers: 2 }, 2], [{ shard_chars: 100000 }, 1]] as const) {
      const runs = await runOnce(project, wf, payload);
      assert.equal(ranCount(project, runs, 'mapper'), mappers);
      const [out] = resultsOf(project, runs, 'output_processor') as Array<{ counts: Record<string, number>; total_words: number }>;
      assert.deepEqual(out.counts, direct);
      assert.equal(out.total_words, Object.values(direct).reduce((a, b) => a + b, 0));
    }
  });

  it('map_reduce: a text whose words all start a–m uses one reducer; the join still fires', async () => {
    const { project, wf } = await mapReduce();
    const runs = await runOnce(project, wf, { text: 'apple banana apple cherry' });
    assert.equal(ranCount(project, runs, 'reducer'), 1);
    const [out] = resultsOf(project, runs, 'output_processor') as Array<{ counts: Record<string, number> }>;
    assert.deepEqual(out.counts, { apple: 2, banana: 1, cherry: 1 });
  });

  const smallSync = example('small_sync_example');
  it('small_sync_example: two call sites into one join are two slots; a skipped site leaves the other slot', async () => {
    const { project, wf } = await smallSync();
    const [all] = resultsOf(project, await runOnce(project, wf, { message: 'abc', number: 2 }), 'secondSyncFunction') as Array<{ total: number; from: string[] }>;
    assert.deepEqual(all, { run_id: 'run-1', total: 2 * 3 + (2 + 4), from: ['initial_function#2', 'syncFunction'] });
    const [skipped] = resultsOf(project, await runOnce(project, wf, { message: 'abc', number: -1 }), 'secondSyncFunction') as Array<{ total: number; from: string[] }>;
    assert.deepEqual(skipped.from, ['syncFunction']);
  });

  const t2s = example('text_2_speech_censoring');
  it('text_2_speech_censoring: the censored words are silenced in the encoded audio', async () => {
    const { project, wf } = await t2s();
    const [out] = resultsOf(project, await runOnce(project, wf, {}), 'censor') as Array<{ censored_words: string[]; silenced_samples: number; duration_s: number; rate: number }>;
    assert.deepEqual(out.censored_words, ['darn', 'heck']);
    assert.equal(out.rate, 5000);
    assert.equal(out.duration_s, (TEXTS.short.length * 80) / 8000);
    // "darn" and "heck": 8 characters × 50 samples per character at 5 kHz, minus samples already silent
    assert.ok(out.silenced_samples > 300 && out.silenced_samples <= 400, String(out.silenced_samples));
    const [clean] = resultsOf(project, await runOnce(project, wf, { text: 'a perfectly polite sentence' }), 'censor') as Array<{ silenced_samples: number }>;
    assert.equal(clean.silenced_samples, 0);
  });

  const video = example('video_analytics');
  it('video_analytics: labels come back in frame order and do not depend on the fan-out', async () => {
    const { project, wf } = await video();
    type Out = { frames: number; chunks: number; histogram: Record<string, number>; scenes: Array<[number, number, string]> };
    const [auto] = resultsOf(project, await runOnce(project, wf, {}), 'consolidate') as Out[];
    assert.equal(auto.frames, 120);
    assert.equal(auto.chunks, 5); // (120 − 1) // 25 + 1
    assert.deepEqual(auto.scenes.map((s) => s[2]), ['empty lot', 'car', 'car and pedestrian', 'pedestrian', 'empty lot', 'dark scene']);
    for (const fanout of [1, 6]) {
      const runs = await runOnce(project, wf, { fanout });
      assert.equal(ranCount(project, runs, 'recognition'), fanout);
      const [out] = resultsOf(project, runs, 'consolidate') as Out[];
      assert.deepEqual(out.scenes, auto.scenes);
    }
  });

  const images = example('image_processing');
  it('image_processing: one image_processor per requested transform, with the right output sizes', async () => {
    const { project, wf } = await images();
    type Out = { transform: string; width: number; height: number };
    const all = resultsOf(project, await runOnce(project, wf, {}), 'image_processor') as Out[];
    assert.deepEqual(all.map((o) => [o.transform, o.width, o.height]), [
      ['flip', 16, 12],
      ['rotate', 12, 16],
      ['blur', 16, 12],
      ['greyscale', 16, 12],
      ['resize', 8, 6],
    ]);
    const one = resultsOf(project, await runOnce(project, wf, { transforms: ['greyscale'] }), 'image_processor') as Out[];
    assert.deepEqual(one.map((o) => o.transform), ['greyscale']);
  });

  const dna = example('dna_visualization');
  it('dna_visualization: base counts, GC content, the planted open reading frames, an SVG', async () => {
    const { project, wf } = await dna();
    type Out = { length: number; counts: Record<string, number>; gc_content: number; gc_windows: number[]; orfs: Array<{ start: number; end: number }>; svg: string };
    const [out] = resultsOf(project, await runOnce(project, wf, {}), 'visualize') as Out[];
    assert.equal(out.length, 3000);
    assert.equal(out.counts.A + out.counts.C + out.counts.G + out.counts.T, 3000);
    assert.equal(out.gc_windows.length, 30);
    // GC-rich around 1,000–1,600, AT-rich from 2,400 (how the bundled sequence was made)
    assert.ok(Math.min(...out.gc_windows.slice(10, 16)) > Math.max(...out.gc_windows.slice(24)));
    assert.ok(out.orfs.some((o) => o.start === 1800 && o.end === 1800 + 3 * 112));
    assert.match(out.svg, /^<svg [^>]*>.*<\/svg>$/);
  });
});
