import { CloudWatchLogsClient, DeleteLogGroupCommand, DescribeLogGroupsCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { LogLine, Logs } from '../ports';
import type { AwsContext } from './context';
import { attempt, unlessNotFound } from './errors';
import { assertRegion, isPhysicalName, logGroupName } from './names';

/** Logs from CloudWatch Logs: a function's group `/aws/lambda/<name>`, every stream, every page. */
export class CloudWatchLogs implements Logs {
  constructor(private readonly ctx: AwsContext) {}

  async read(region: string, functionName: string, start: number, end: number): Promise<LogLine[]> {
    if (end <= start) return [];
    const client = this.ctx.client(CloudWatchLogsClient, assertRegion(region));
    const group = logGroupName(functionName);
    const out: LogLine[] = [];
    let nextToken: string | undefined;
    do {
      // FilterLogEvents' endTime is inclusive; the port's `end` is exclusive.
      const r = await unlessNotFound(
        'read the logs of',
        `${functionName} in ${region}`,
        () => client.send(new FilterLogEventsCommand({ logGroupName: group, startTime: start, endTime: end - 1, nextToken })),
        undefined,
      );
      if (!r) return []; // the function has never run, so it has no log group yet
      for (const e of r.events ?? []) {
        if (e.timestamp !== undefined && e.message !== undefined && e.timestamp >= start && e.timestamp < end) out.push({ time: e.timestamp, line: e.message.replace(/\n$/, '') });
      }
      nextToken = r.nextToken;
    } while (nextToken);
    // Pages interleave streams; callers want one time-ordered sequence (stable for equal times).
    return out.map((l, i) => ({ l, i })).sort((a, b) => a.l.time - b.l.time || a.i - b.i).map((x) => x.l);
  }

  /** The log groups of Caribou functions (physical names) in a region, across all pages. */
  async functionLogGroups(region: string): Promise<string[]> {
    const client = this.ctx.client(CloudWatchLogsClient, assertRegion(region));
    const out: string[] = [];
    let nextToken: string | undefined;
    do {
      const r = await attempt('list the log groups in', region, () => client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/', nextToken })));
      for (const g of r.logGroups ?? []) {
        const name = g.logGroupName?.slice('/aws/lambda/'.length);
        if (name && isPhysicalName(name)) out.push(g.logGroupName!);
      }
      nextToken = r.nextToken;
    } while (nextToken);
    return out.sort();
  }

  /** Deletes the log groups of every Caribou function in a region (teardown); returns how many. */
  async deleteFunctionLogGroups(region: string): Promise<number> {
    const client = this.ctx.client(CloudWatchLogsClient, assertRegion(region));
    const groups = await this.functionLogGroups(region);
    for (const logGroupName of groups) await unlessNotFound('delete log group', `${logGroupName} in ${region}`, () => client.send(new DeleteLogGroupCommand({ logGroupName })), undefined);
    return groups.length;
  }
}
