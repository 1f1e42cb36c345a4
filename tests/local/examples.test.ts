import { strict as assert } from 'assert';
import { openLocalCloud, type LocalCloud } from '../../src/cloud/local';
import { deployWorkflow } from '../../src/deploy/deployer';
import { loadWorkflowProject, type WorkflowProject } from '../../src/deploy/project';
import { runWorkflow } from '../../src/deploy/run';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { example, printedOf, tempDir } from './helpers';
import { DOCUMENTS } from '../../examples/map_reduce/data';
import { countWords } from '../../examples/map_reduce/words';
import { SEQUENCES } from '../../examples/dna_visualization/data';
import { baseCounts } from '../../examples/dna_visualization/dna';
import { IMAGES } from '../../examples/image_processing/data';
import { TRANSFORMS, apply, checksum } from '../../examples/image_processing/transforms';
import { CENSORED_WORDS, TEXTS } from '../../examples/text_2_speech_censoring/data';
import { censoredSpans } from '../../examples/text_2_speech_censoring/audio';
import { VIDEOS } from '../../examples/video_analytics/data';

describe('local cloud: every example runs to completion with correct results', () => {
  let tmp: ReturnType<typeof tempDir>;
  let cloud: LocalCloud;
  const projects = new Map<string, WorkflowProject>();

  before(async () => {
    tmp = tempDir();
    cloud = await openLocalCloud({ home: tmp.dir, knobs: { seed: 7 } });
  });
  after(async () => {
    await cloud.close();
    tmp.cleanup();
  });

  async function deploy(name: string): Promise<WorkflowProject> {
    const p = await loadWorkflowProject(example(name));
    await deployWorkflow(cloud, p);
    projects.set(name, p);
    return p;
  }

  it('small_sync_example: both joins run once; totals add up', async () => {
    const p = await deploy('small_sync_example');
    const r = await runWorkflow(cloud, p.config.workflow_id, { message: 'caribou', number: 2 });
    assert.equal(r.status, 'succeeded', JSON.stringify(r.errors));
    assert.equal(r.instances.length, 3);
    const out = (await printedOf(cloud, p.config, 'secondSyncFunction')).filter((o) => o.run_id === r.run_id);
    assert.equal(out.length, 1);
    // syncFunction forwards 2 + 4; initial_function's site 2 sends 6
    assert.equal(out[0].total, 12);
    assert.deepEqual([...(out[0].from as string[])].sort(), ['initial_function#2', 'syncFunction']);
  });

  it("map_reduce: the word counts equal a direct count of the input", async () => {
    const p = await deploy('map_reduce');
    for (const document of Object.keys(DOCUMENTS)) {
      const r = await runWorkflow(cloud, p.config.workflow_id, { document });
      assert.equal(r.status, 'succeeded', JSON.stringify(r.errors));
      const direct = countWords(DOCUMENTS[document]);
      const total = Object.values(direct).reduce((s, n) => s + n, 0);
      // select this run's output by id: log order across runs is not an order of runs
      const outputs = (await printedOf(cloud, p.config, 'output_processor')).filter((o) => o.run_id === r.run_id);
      assert.equal(outputs.length, 1, `one output of run ${r.run_id}`);
      const [out] = outputs;
      assert.equal(out.total_words, total);
      assert.equal(out.distinct_words, Object.keys(direct).length);
      // the top ten, each with its exact count
      for (const [w, n] of out.top as Array<[string, number]>) assert.equal(n, direct[w], w);
      // and every single count, from the reducers' outputs stored in the join's slots
      const joinInst = p.config.instances.find((i) => i.function_name === 'output_processor')!.instance_name;
      const item = (await cloud.tables.get(p.config.home_region.region, TABLES.syncMessages, `${joinInst}:${r.run_id}`)) as Record<string, { kind: string; data?: { counts: Record<string, number> } }>;
      const merged: Record<string, number> = {};
      for (const [k, v] of Object.entries(item)) if (k.startsWith('slot') && v.kind === 'data') for (const [w, n] of Object.entries(v.data!.counts)) merged[w] = (merged[w] ?? 0) + n;
      assert.deepEqual(merged, direct);
    }
  });

  it('dna_visualization: base counts and GC content of the sequence', async () => {
    const p = await deploy('dna_visualization');
    const r = await runWorkflow(cloud, p.config.workflow_id, {});
    assert.equal(r.status, 'succeeded', JSON.stringify(r.errors));
    const [out] = (await printedOf(cloud, p.config, 'visualize')).filter((o) => o.run_id === r.run_id);
    const seq = SEQUENCES.sample;
    const c = baseCounts(seq);
    assert.equal(out.length, seq.length);
    assert.equal(out.gc_content, (c.G + c.C) / Math.max(1, seq.length - c.N));
    assert.ok((out.svg_bytes as number) > 0);
  });

  it('image_processing: every transform yields the image a direct call yields', async () => {
    const p = await deploy('image_processing');
    const r = await runWorkflow(cloud, p.config.workflow_id, {});
    assert.equal(r.status, 'succeeded', JSON.stringify(r.errors));
    const outs = (await printedOf(cloud, p.config, 'image_processor')).filter((o) => o.run_id === r.run_id);
    assert.equal(outs.length, TRANSFORMS.length);
    for (const t of TRANSFORMS) {
      const img = apply(t, IMAGES.sunset);
      const o = outs.find((x) => x.transform === t)!;
      assert.deepEqual([o.width, o.height, o.checksum], [img.width, img.height, checksum(img)], t);
    }
  });

  it('text_2_speech_censoring: the censor join gets audio and spans and silences the listed words', async () => {
    const p = await deploy('text_2_speech_censoring');
    const r = await runWorkflow(cloud, p.config.workflow_id, {});
    assert.equal(r.status, 'succeeded', JSON.stringify(r.errors));
    const [out] = (await printedOf(cloud, p.config, 'censor')).filter((o) => o.run_id === r.run_id);
    const text = TEXTS.short;
    assert.deepEqual(out.censored_words, censoredSpans(text, CENSORED_WORDS).map(([s, e]) => text.slice(s, e)));
    assert.ok((out.duration_s as number) > 0);
  });

  it('video_analytics: every frame is labelled once across the fan-out', async () => {
    const p = await deploy('video_analytics');
    for (const fanout of [1, 3, 'auto'] as const) {
      const r = await runWorkflow(cloud, p.config.workflow_id, { fanout });
      assert.equal(r.status, 'succeeded', JSON.stringify(r.errors));
      const [out] = (await printedOf(cloud, p.config, 'consolidate')).filter((o) => o.run_id === r.run_id);
      const frames = VIDEOS.parking_evening.frames;
      assert.equal(out.frames, frames);
      assert.equal(Object.values(out.histogram as Record<string, number>).reduce((s, n) => s + n, 0), frames);
      if (fanout !== 'auto') assert.equal(out.chunks, fanout);
    }
  });

  it('lists every deployed example', async () => {
    const ids = await cloud.tables.keys(SYSTEM_REGION, TABLES.deploymentManagerResource);
    assert.deepEqual(ids, [...projects.values()].map((p) => p.config.workflow_id).sort());
  });
});
