import {
  DeleteRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { UserError } from '../../model/errors';
import type { Schedule, Schedules } from '../ports';
import type { AwsContext } from './context';
import { attempt, unlessNotFound } from './errors';
import type { LambdaFunctions } from './lambda-functions';
import { arnRegion, assertTimerName, functionArn } from './names';
import { trustPolicy } from './policies';

/** Caribou's names: rule `<timer>-timer-rule`, target id `caribou_cli-target`, permission `<rule>-invoke-lambda`. */
export const RULE_SUFFIX = '-timer-rule';
export const TARGET_ID = 'caribou_cli-target';
/** The role EventBridge assumes to start a state machine. */
export const TIMER_ROLE = 'caribou-timers-role';

/** A schedule with an optional input for its target (the JSON EventBridge sends). */
export type ScheduleWithInput = Schedule & { input?: unknown };

/**
 * Timers on EventBridge rules in the control region. A target is a Lambda function (name
 * or ARN; EventBridge gets permission to invoke it, and loses it when the timer goes) or a
 * state machine ARN (started through a role that may start only the timers' machines).
 */
export class EventBridgeSchedules implements Schedules {
  constructor(
    private readonly ctx: AwsContext,
    private readonly functions: LambdaFunctions,
  ) {}

  private events(): EventBridgeClient {
    return this.ctx.client(EventBridgeClient, this.ctx.controlRegion);
  }

  async put(schedule: ScheduleWithInput): Promise<void> {
    const rule = `${assertTimerName(schedule.name)}${RULE_SUFFIX}`;
    if (!/^(cron|rate)\(.+\)$/.test(schedule.expression)) throw new UserError(`"${schedule.expression}" is not an EventBridge schedule expression such as cron(5 0 * * ? *) or rate(1 hour)`);
    const account = await this.ctx.accountId();
    // Check the target first, so a missing control plane leaves no rule without a target.
    const lambdaRegion = schedule.target.startsWith('arn:aws:states:') ? undefined : schedule.target.startsWith('arn:') ? arnRegion(schedule.target)! : this.ctx.controlRegion;
    if (lambdaRegion && !(await this.functions.describe(lambdaRegion, schedule.target))) {
      throw new UserError(
        `timer ${schedule.name} targets the control-plane function ${schedule.target}, which does not exist in ${lambdaRegion}; ` +
          'deploy the control plane with `sls deploy` first (docs/aws.md), or set CARIBOU_CONTROL_PLANE_PREFIX to its <service>-<stage>',
      );
    }
    const r = await attempt('create timer rule', rule, () =>
      this.events().send(new PutRuleCommand({ Name: rule, ScheduleExpression: schedule.expression, State: 'ENABLED', Description: `Caribou timer ${schedule.name}` })),
    );
    const ruleArn = r.RuleArn!;
    const target: Target = { Id: TARGET_ID, Arn: '', Input: JSON.stringify(schedule.input ?? { timer: schedule.name }) };
    if (schedule.target.startsWith('arn:aws:states:')) {
      target.Arn = schedule.target;
      target.RoleArn = await this.stateMachineRole(schedule.target, account);
    } else {
      target.Arn = functionArn(lambdaRegion!, account, schedule.target);
      await this.functions.allowInvoke(lambdaRegion!, target.Arn, `${rule}-invoke-lambda`, 'events.amazonaws.com', ruleArn);
    }
    const put = await attempt('set the target of timer rule', rule, () => this.events().send(new PutTargetsCommand({ Rule: rule, Targets: [target] })));
    if (put.FailedEntryCount) throw new Error(`could not set the target of timer rule ${rule}: ${put.FailedEntries?.map((e) => e.ErrorMessage).join('; ')}`);
  }

  /** The role EventBridge uses to start `stateMachineArn`; its policy lists exactly the machines timers start. */
  private async stateMachineRole(stateMachineArn: string, account: string): Promise<string> {
    const current = (await this.functions.roles.inlinePolicies(TIMER_ROLE))?.['start-state-machines'];
    const arns = new Set<string>([stateMachineArn]);
    for (const s of current?.Statement ?? []) for (const a of [s.Resource ?? []].flat()) arns.add(a);
    const role = await this.functions.roles.put(
      TIMER_ROLE,
      trustPolicy('events.amazonaws.com', account),
      { 'start-state-machines': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['states:StartExecution'], Resource: [...arns].sort() }] } },
      'Caribou timers: lets EventBridge start the control-plane state machine',
    );
    return role.arn;
  }

  async list(): Promise<Schedule[]> {
    const out: Schedule[] = [];
    let NextToken: string | undefined;
    do {
      const r = await attempt('list timer rules in', this.ctx.controlRegion, () => this.events().send(new ListRulesCommand({ NextToken })));
      for (const rule of r.Rules ?? []) {
        if (!rule.Name?.endsWith(RULE_SUFFIX) || !rule.ScheduleExpression) continue;
        const targets = await this.targets(rule.Name);
        out.push({ name: rule.Name.slice(0, -RULE_SUFFIX.length), expression: rule.ScheduleExpression, target: targets[0]?.Arn ?? '' });
      }
      NextToken = r.NextToken;
    } while (NextToken);
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  private async targets(rule: string): Promise<Target[]> {
    const out: Target[] = [];
    let NextToken: string | undefined;
    do {
      const r = await unlessNotFound('list the targets of', rule, () => this.events().send(new ListTargetsByRuleCommand({ Rule: rule, NextToken })), undefined);
      if (!r) return out;
      out.push(...(r.Targets ?? []));
      NextToken = r.NextToken;
    } while (NextToken);
    return out;
  }

  async remove(name: string): Promise<void> {
    const rule = `${assertTimerName(name)}${RULE_SUFFIX}`;
    const targets = await this.targets(rule);
    if (targets.length > 0) {
      await unlessNotFound('remove the targets of', rule, () => this.events().send(new RemoveTargetsCommand({ Rule: rule, Ids: targets.map((t) => t.Id!) })), undefined);
    }
    // Caribou left the invoke permission behind; a removed timer should leave nothing.
    for (const t of targets) {
      if (t.Arn?.startsWith('arn:aws:lambda:')) await this.functions.revokeInvoke(arnRegion(t.Arn)!, t.Arn, `${rule}-invoke-lambda`);
    }
    await unlessNotFound('delete timer rule', rule, () => this.events().send(new DeleteRuleCommand({ Name: rule })), undefined);
    if ((await this.list()).every((s) => !s.target.startsWith('arn:aws:states:'))) await this.functions.roles.remove(TIMER_ROLE);
  }
}
