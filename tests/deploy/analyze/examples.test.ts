import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import * as path from 'path';
import { decodeOrThrow } from '../../../src/model/decode';
import { WorkflowConfig } from '../../../src/model/workflow-config';
import { loadWorkflowProject } from '../../../src/deploy/project';

/** Each example's DAG: instance name, its call sites' successors in site order, and a join's slots. */
interface Expected {
  name: string;
  sites: string[];
  slots?: string[];
}

// The exact names (see sdk/README.md, "Instance names"): written out in full on purpose.
const EXPECTED: Record<string, Expected[]> = {
  small_sync_example: [
    { name: 'small_sync_example-0_0_1-initial_function:entry_point:0', sites: ['small_sync_example-0_0_1-syncFunction:sync:1','small_sync_example-0_0_1-syncFunction:sync:1','small_sync_example-0_0_1-secondSyncFunction:sync:2'] },
    { name: 'small_sync_example-0_0_1-syncFunction:sync:1', sites: ['small_sync_example-0_0_1-secondSyncFunction:sync:2'], slots: ['small_sync_example-0_0_1-initial_function:entry_point:0#0','small_sync_example-0_0_1-initial_function:entry_point:0#1'] },
    { name: 'small_sync_example-0_0_1-secondSyncFunction:sync:2', sites: [], slots: ['small_sync_example-0_0_1-initial_function:entry_point:0#2','small_sync_example-0_0_1-syncFunction:sync:1#0'] },
  ],
  map_reduce: [
    { name: 'map_reduce-0_0_1-input_processor:entry_point:0', sites: ['map_reduce-0_0_1-mapper:map_reduce-0_0_1-input_processor_0_0:1','map_reduce-0_0_1-mapper:map_reduce-0_0_1-input_processor_0_1:2','map_reduce-0_0_1-mapper:map_reduce-0_0_1-input_processor_0_2:3','map_reduce-0_0_1-mapper:map_reduce-0_0_1-input_processor_0_3:4','map_reduce-0_0_1-mapper:map_reduce-0_0_1-input_processor_0_4:5','map_reduce-0_0_1-mapper:map_reduce-0_0_1-input_processor_0_5:6'] },
    { name: 'map_reduce-0_0_1-mapper:map_reduce-0_0_1-input_processor_0_0:1', sites: ['map_reduce-0_0_1-shuffler:sync:7'] },
    { name: 'map_reduce-0_0_1-mapper:map_reduce-0_0_1-input_processor_0_1:2', sites: ['map_reduce-0_0_1-shuffler:sync:7'] },
    { name: 'map_reduce-0_0_1-mapper:map_reduce-0_0_1-input_processor_0_2:3', sites: ['map_reduce-0_0_1-shuffler:sync:7'] },
    { name: 'map_reduce-0_0_1-mapper:map_reduce-0_0_1-input_processor_0_3:4', sites: ['map_reduce-0_0_1-shuffler:sync:7'] },
    { name: 'map_reduce-0_0_1-mapper:map_reduce-0_0_1-input_processor_0_4:5', sites: ['map_reduce-0_0_1-shuffler:sync:7'] },
    { name: 'map_reduce-0_0_1-mapper:map_reduce-0_0_1-input_processor_0_5:6', sites: ['map_reduce-0_0_1-shuffler:sync:7'] },
    { name: 'map_reduce-0_0_1-shuffler:sync:7', sites: ['map_reduce-0_0_1-reducer:map_reduce-0_0_1-shuffler_7_0:8','map_reduce-0_0_1-reducer:map_reduce-0_0_1-shuffler_7_1:9'], slots: ['map_reduce-0_0_1-mapper:map_reduce-0_0_1-input_processor_0_0:1#0','map_reduce-0_0_1-mapper:map_reduce-0_0_1-input_processor_0_1:2#0','map_reduce-0_0_1-mapper:map_reduce-0_0_1-input_processor_0_2:3#0','map_reduce-0_0_1-mapper:map_reduce-0_0_1-input_processor_0_3:4#0','map_reduce-0_0_1-mapper:map_reduce-0_0_1-input_processor_0_4:5#0','map_reduce-0_0_1-mapper:map_reduce-0_0_1-input_processor_0_5:6#0'] },
    { name: 'map_reduce-0_0_1-reducer:map_reduce-0_0_1-shuffler_7_0:8', sites: ['map_reduce-0_0_1-output_processor:sync:10'] },
    { name: 'map_reduce-0_0_1-reducer:map_reduce-0_0_1-shuffler_7_1:9', sites: ['map_reduce-0_0_1-output_processor:sync:10'] },
    { name: 'map_reduce-0_0_1-output_processor:sync:10', sites: [], slots: ['map_reduce-0_0_1-reducer:map_reduce-0_0_1-shuffler_7_0:8#0','map_reduce-0_0_1-reducer:map_reduce-0_0_1-shuffler_7_1:9#0'] },
  ],
  text_2_speech_censoring: [
    { name: 'text_2_speech_censoring-0_0_1-get_input:entry_point:0', sites: ['text_2_speech_censoring-0_0_1-text_2_speech:text_2_speech_censoring-0_0_1-get_input_0_0:1','text_2_speech_censoring-0_0_1-profanity:text_2_speech_censoring-0_0_1-get_input_0_1:2'] },
    { name: 'text_2_speech_censoring-0_0_1-text_2_speech:text_2_speech_censoring-0_0_1-get_input_0_0:1', sites: ['text_2_speech_censoring-0_0_1-encoding:text_2_speech_censoring-0_0_1-text_2_speech_1_0:3'] },
    { name: 'text_2_speech_censoring-0_0_1-profanity:text_2_speech_censoring-0_0_1-get_input_0_1:2', sites: ['text_2_speech_censoring-0_0_1-censor:sync:4'] },
    { name: 'text_2_speech_censoring-0_0_1-encoding:text_2_speech_censoring-0_0_1-text_2_speech_1_0:3', sites: ['text_2_speech_censoring-0_0_1-censor:sync:4'] },
    { name: 'text_2_speech_censoring-0_0_1-censor:sync:4', sites: [], slots: ['text_2_speech_censoring-0_0_1-profanity:text_2_speech_censoring-0_0_1-get_input_0_1:2#0','text_2_speech_censoring-0_0_1-encoding:text_2_speech_censoring-0_0_1-text_2_speech_1_0:3#0'] },
  ],
  video_analytics: [
    { name: 'video_analytics-0_0_1-streaming:entry_point:0', sites: ['video_analytics-0_0_1-decode:video_analytics-0_0_1-streaming_0_0:1'] },
    { name: 'video_analytics-0_0_1-decode:video_analytics-0_0_1-streaming_0_0:1', sites: ['video_analytics-0_0_1-recognition:video_analytics-0_0_1-decode_1_0:2','video_analytics-0_0_1-recognition:video_analytics-0_0_1-decode_1_1:3','video_analytics-0_0_1-recognition:video_analytics-0_0_1-decode_1_2:4','video_analytics-0_0_1-recognition:video_analytics-0_0_1-decode_1_3:5','video_analytics-0_0_1-recognition:video_analytics-0_0_1-decode_1_4:6','video_analytics-0_0_1-recognition:video_analytics-0_0_1-decode_1_5:7'] },
    { name: 'video_analytics-0_0_1-recognition:video_analytics-0_0_1-decode_1_0:2', sites: ['video_analytics-0_0_1-consolidate:sync:8'] },
    { name: 'video_analytics-0_0_1-recognition:video_analytics-0_0_1-decode_1_1:3', sites: ['video_analytics-0_0_1-consolidate:sync:8'] },
    { name: 'video_analytics-0_0_1-recognition:video_analytics-0_0_1-decode_1_2:4', sites: ['video_analytics-0_0_1-consolidate:sync:8'] },
    { name: 'video_analytics-0_0_1-recognition:video_analytics-0_0_1-decode_1_3:5', sites: ['video_analytics-0_0_1-consolidate:sync:8'] },
    { name: 'video_analytics-0_0_1-recognition:video_analytics-0_0_1-decode_1_4:6', sites: ['video_analytics-0_0_1-consolidate:sync:8'] },
    { name: 'video_analytics-0_0_1-recognition:video_analytics-0_0_1-decode_1_5:7', sites: ['video_analytics-0_0_1-consolidate:sync:8'] },
    { name: 'video_analytics-0_0_1-consolidate:sync:8', sites: [], slots: ['video_analytics-0_0_1-recognition:video_analytics-0_0_1-decode_1_0:2#0','video_analytics-0_0_1-recognition:video_analytics-0_0_1-decode_1_1:3#0','video_analytics-0_0_1-recognition:video_analytics-0_0_1-decode_1_2:4#0','video_analytics-0_0_1-recognition:video_analytics-0_0_1-decode_1_3:5#0','video_analytics-0_0_1-recognition:video_analytics-0_0_1-decode_1_4:6#0','video_analytics-0_0_1-recognition:video_analytics-0_0_1-decode_1_5:7#0'] },
  ],
  image_processing: [
    { name: 'image_processing-0_0_1-get_requests:entry_point:0', sites: ['image_processing-0_0_1-image_processor:image_processing-0_0_1-get_requests_0_0:1','image_processing-0_0_1-image_processor:image_processing-0_0_1-get_requests_0_1:2','image_processing-0_0_1-image_processor:image_processing-0_0_1-get_requests_0_2:3','image_processing-0_0_1-image_processor:image_processing-0_0_1-get_requests_0_3:4','image_processing-0_0_1-image_processor:image_processing-0_0_1-get_requests_0_4:5'] },
    { name: 'image_processing-0_0_1-image_processor:image_processing-0_0_1-get_requests_0_0:1', sites: [] },
    { name: 'image_processing-0_0_1-image_processor:image_processing-0_0_1-get_requests_0_1:2', sites: [] },
    { name: 'image_processing-0_0_1-image_processor:image_processing-0_0_1-get_requests_0_2:3', sites: [] },
    { name: 'image_processing-0_0_1-image_processor:image_processing-0_0_1-get_requests_0_3:4', sites: [] },
    { name: 'image_processing-0_0_1-image_processor:image_processing-0_0_1-get_requests_0_4:5', sites: [] },
  ],
  dna_visualization: [
    { name: 'dna_visualization-0_0_1-visualize:entry_point:0', sites: [] },
  ],
};

const ROOT = path.resolve(__dirname, '..', '..', '..');

describe('static DAG builder: the example workflows', () => {
  for (const [example, expected] of Object.entries(EXPECTED)) {
    it(`${example}: exact instance names, call sites, join slots and edges`, async () => {
      const project = await loadWorkflowProject(path.join(ROOT, 'examples', example));
      // the record other stages read must decode with its own codec
      const config = decodeOrThrow(WorkflowConfig, JSON.parse(JSON.stringify(project.config)), 'workflow config');
      assert.equal(config.workflow_id, `${example}-0.0.1`);
      assert.deepEqual(
        config.instances.map((i) => ({ name: i.instance_name, sites: i.call_sites.map((s) => s.successor), ...(i.join_slots ? { slots: i.join_slots } : {}) })),
        expected,
      );
      for (const inst of config.instances) {
        assert.deepEqual(inst.call_sites.map((s) => s.site), inst.call_sites.map((_, k) => k), 'sites are numbered 0, 1, 2 … in order');
        assert.deepEqual(inst.succeeding_instances, [...new Set(inst.call_sites.map((s) => s.successor))]);
        const callers = config.instances.filter((p) => p.call_sites.some((s) => s.successor === inst.instance_name)).map((p) => p.instance_name);
        assert.deepEqual([...inst.preceding_instances].sort(), callers.sort());
        if (inst.join_slots) {
          const slots = config.instances.flatMap((p) => p.call_sites.filter((s) => s.successor === inst.instance_name).map((s) => `${p.instance_name}#${s.site}`));
          assert.deepEqual([...inst.join_slots].sort(), slots.sort(), 'one slot per incoming call site');
        }
        assert.equal(inst.entry_point === true, inst.instance_name.endsWith(':entry_point:0'));
      }
      // listing by DAG index is a topological order: every predecessor comes earlier
      const index = new Map(config.instances.map((i, k) => [i.instance_name, k]));
      for (const inst of config.instances) for (const p of inst.preceding_instances) assert.ok(index.get(p)! < index.get(inst.instance_name)!);
      assert.deepEqual(project.unreachable, []);
    });
  }

  it('`caribou inspect --json` on map_reduce: 6 mappers into the shuffler join, 2 reducers into the output_processor join', () => {
    const out = execFileSync(process.execPath, [path.join(ROOT, 'bin', 'caribou.js'), 'inspect', '--workflow-dir', path.join(ROOT, 'examples', 'map_reduce'), '--json'], { encoding: 'utf8' });
    const config = JSON.parse(out) as WorkflowConfig;
    assert.equal(config.workflow_id, 'map_reduce-0.0.1');
    const byName = new Map(config.instances.map((i) => [i.instance_name, i]));
    const shuffler = config.instances.filter((i) => i.function_name === 'shuffler');
    const output = config.instances.filter((i) => i.function_name === 'output_processor');
    assert.equal(shuffler.length, 1);
    assert.equal(output.length, 1);
    assert.equal(shuffler[0].preceding_instances.length, 6);
    assert.ok(shuffler[0].preceding_instances.every((p) => byName.get(p)!.function_name === 'mapper'));
    assert.equal(output[0].preceding_instances.length, 2);
    assert.ok(output[0].preceding_instances.every((p) => byName.get(p)!.function_name === 'reducer'));
    for (const i of config.instances) assert.ok(Array.isArray(i.succeeding_instances) && Array.isArray(i.preceding_instances));
  });

  it('`caribou inspect` describes the DAG in words', () => {
    const out = execFileSync(process.execPath, [path.join(ROOT, 'bin', 'caribou.js'), 'inspect', '-p', path.join(ROOT, 'examples', 'small_sync_example')], { encoding: 'utf8' });
    assert.match(out, /workflow small_sync_example-0\.0\.1/);
    assert.match(out, /3 functions, 3 instances, 4 call-site edges, 2 joins/);
    assert.match(out, /waits for small_sync_example-0_0_1-initial_function:entry_point:0#1/);
  });
});
