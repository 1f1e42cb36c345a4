import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { TABLES } from '../../model/tables';
import type { Cloud } from '../ports';
import { CloudWatchLogs } from './cloudwatch-logs';
import { AwsContext, type AwsOptions } from './context';
import { DynamoDbKeyValueStore } from './dynamodb-store';
import { attempt } from './errors';
import { EventBridgeSchedules } from './eventbridge-schedules';
import { LambdaFunctions, type LambdaTiming } from './lambda-functions';
import { S3PackageStore } from './s3-packages';
import { SnsMessaging } from './sns-messaging';
import { SsmSecrets } from './ssm-secrets';
import { StepFunctions } from './step-functions';

export { AwsContext } from './context';

/** How long a join item lives on AWS (s); also in lambda-entry.ts. */
export const SYNC_TABLE_TTL_S = 86_400;
export type { AwsOptions } from './context';

/** Options of the AWS target; each defaults from the environment. */
export interface AwsCloudOptions extends AwsOptions {
  /** test knobs: shorter waits against an emulator */
  lambdaTiming?: Partial<LambdaTiming>;
  followPollMs?: number;
}

/** The AWS cloud, with the concrete adapters for what only AWS has (buckets, roles, resource policies). */
export interface AwsCloud extends Cloud {
  target: 'aws';
  context: AwsContext;
  tables: DynamoDbKeyValueStore;
  messaging: SnsMessaging;
  functions: LambdaFunctions;
  packages: S3PackageStore;
  schedules: EventBridgeSchedules;
  stateMachines: StepFunctions;
  logs: CloudWatchLogs;
  secrets: SsmSecrets;
}

/**
 * Opens the AWS target. Endpoint: `opts.endpoint`, else CARIBOU_AWS_ENDPOINT (point the
 * whole target at moto, for instance). Account: `opts.accountId`, else
 * CARIBOU_AWS_ACCOUNT_ID, else STS GetCallerIdentity on first use. Control region:
 * CARIBOU_CONTROL_REGION, else SYSTEM_REGION (us-west-2).
 */
export async function createAwsCloud(opts: AwsCloudOptions = {}): Promise<AwsCloud> {
  const ctx = new AwsContext(
    {
      endpoint: opts.endpoint ?? (process.env.CARIBOU_AWS_ENDPOINT || undefined),
      accountId: opts.accountId ?? (process.env.CARIBOU_AWS_ACCOUNT_ID || undefined),
      controlRegion: opts.controlRegion ?? (process.env.CARIBOU_CONTROL_REGION || undefined),
      maxAttempts: opts.maxAttempts,
    },
    async (c) => {
      const r = await attempt('identify', 'the AWS account (sts:GetCallerIdentity)', () => c.client(STSClient, c.controlRegion).send(new GetCallerIdentityCommand({})));
      return r.Account!;
    },
  );
  const packages = new S3PackageStore(ctx);
  const functions = new LambdaFunctions(ctx, packages, opts.lambdaTiming);
  return {
    target: 'aws',
    context: ctx,
    // Join items matter only while their run is in flight: they expire after a day (Caribou's SYNC_TABLE_TTL).
    tables: new DynamoDbKeyValueStore({ clientFor: (r) => ctx.client(DynamoDBClient, r), expiring: { [TABLES.syncMessages]: SYNC_TABLE_TTL_S } }),
    messaging: new SnsMessaging(ctx, functions.grantTopic),
    functions,
    logs: new CloudWatchLogs(ctx),
    packages,
    schedules: new EventBridgeSchedules(ctx, functions),
    stateMachines: new StepFunctions(ctx, opts.followPollMs),
    secrets: new SsmSecrets(ctx),
    now: () => new Date(),
    close: async () => ctx.close(),
  };
}
