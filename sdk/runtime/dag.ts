import type { RegisteredFunction, Workflow } from '../index';
import type { InstanceConfig, WorkflowConfig } from '../../src/model/workflow-config';

/** One instance of the DAG as the runtime needs it. */
export interface RuntimeInstance {
  name: string;
  config: InstanceConfig;
  fn: RegisteredFunction;
  isJoin: boolean;
  isEntry: boolean;
  /** call site index → successor instance, in site order */
  sites: Map<number, string>;
  /** joins only: `<pred instance>#<site>` in slot order */
  slots: string[];
  /** joins only: slot key → slot index */
  slotIndex: Map<string, number>;
  memoryMb: number;
  /** seconds the function may run (Lambda's timeout) */
  timeoutS: number;
}

/** The config and the code disagree, or the config is inconsistent: deploying it would hang or misroute runs. */
export class RuntimeConfigError extends Error {
  constructor(workflowId: string, readonly problems: string[]) {
    super(`workflow ${workflowId}: its config and code do not fit together:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RuntimeConfigError';
  }
}

/** The slot key of call site `site` of instance `pred`. */
export function slotKey(pred: string, site: number): string {
  return `${pred}#${site}`;
}

/**
 * The workflow's DAG joined with its registered code, checked once when the runtime is
 * created. Checks that matter for the join protocol: every slot a join waits for is a call
 * site some instance has (else the join would wait forever), and every call site into a
 * join has a slot (else its data would be lost).
 */
export class RuntimeDag {
  readonly instances = new Map<string, RuntimeInstance>();
  readonly entry: RuntimeInstance;

  constructor(readonly workflow: Workflow, readonly config: WorkflowConfig) {
    const problems: string[] = [];
    const fnConfigs = new Map(config.functions.map((f) => [f.name, f]));
    workflow.bindManifest(config.workflow_name, config.workflow_version);
    if (workflow.id !== config.workflow_id) problems.push(`the code defines workflow ${workflow.id} but the config is for ${config.workflow_id}`);
    for (const ic of config.instances) {
      const fn = workflow.functions.get(ic.function_name);
      const fc = fnConfigs.get(ic.function_name);
      if (!fn) {
        problems.push(`instance ${ic.instance_name} runs function ${ic.function_name}, which the code does not register`);
        continue;
      }
      const isJoin = fn.kind === 'join';
      if (fc && fc.is_join !== isJoin) problems.push(`function ${fn.name} is ${isJoin ? '' : 'not '}a join in the code but the config says the opposite`);
      if (isJoin && !ic.join_slots) problems.push(`join instance ${ic.instance_name} has no join_slots`);
      if (!isJoin && ic.join_slots && ic.join_slots.length > 0) problems.push(`instance ${ic.instance_name} has join_slots but ${fn.name} is not a join`);
      const sites = new Map<number, string>();
      for (const cs of [...ic.call_sites].sort((a, b) => a.site - b.site)) {
        if (sites.has(cs.site)) problems.push(`instance ${ic.instance_name} lists call site ${cs.site} twice`);
        sites.set(cs.site, cs.successor);
      }
      const slots = ic.join_slots ?? [];
      const slotIndex = new Map<string, number>();
      slots.forEach((s, i) => {
        if (slotIndex.has(s)) problems.push(`join ${ic.instance_name} lists slot ${s} twice`);
        slotIndex.set(s, i);
      });
      if (this.instances.has(ic.instance_name)) problems.push(`instance ${ic.instance_name} appears twice`);
      this.instances.set(ic.instance_name, {
        name: ic.instance_name,
        config: ic,
        fn,
        isJoin,
        isEntry: ic.entry_point === true,
        sites,
        slots,
        slotIndex,
        memoryMb: fc?.memory ?? fn.options.memory ?? 128,
        timeoutS: fc?.timeout ?? fn.options.timeout ?? 60,
      });
    }
    // every call site's successor exists; every call site into a join has a slot and vice versa
    const written = new Map<string, Set<string>>();
    for (const inst of this.instances.values()) {
      for (const [site, succName] of inst.sites) {
        const succ = this.instances.get(succName);
        if (!succ) {
          problems.push(`call site ${site} of ${inst.name} calls ${succName}, which is not an instance of the DAG`);
          continue;
        }
        if (succ.isEntry) problems.push(`call site ${site} of ${inst.name} calls the entry point ${succName}`);
        if (succ.isJoin) {
          const key = slotKey(inst.name, site);
          if (!succ.slotIndex.has(key)) problems.push(`join ${succName} has no slot for call site ${key}`);
          let set = written.get(succName);
          if (!set) written.set(succName, (set = new Set()));
          set.add(key);
        }
      }
    }
    for (const inst of this.instances.values()) {
      if (!inst.isJoin) continue;
      if (inst.slots.length === 0) problems.push(`join ${inst.name} has no slots: it could never run`);
      for (const s of inst.slots) {
        if (!written.get(inst.name)?.has(s)) problems.push(`join ${inst.name} waits for slot ${s}, which no call site writes (it would wait forever)`);
      }
    }
    const entries = [...this.instances.values()].filter((i) => i.isEntry);
    if (entries.length !== 1) problems.push(`expected exactly one entry-point instance, found ${entries.length}`);
    if (problems.length > 0) throw new RuntimeConfigError(config.workflow_id, problems);
    this.entry = entries[0]!;
  }

  /** The instance named `name`, or an error naming the workflow. */
  instance(name: string): RuntimeInstance {
    const inst = this.instances.get(name);
    if (!inst) throw new Error(`instance ${name} is not part of workflow ${this.config.workflow_id}`);
    return inst;
  }
}
