import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as t from 'io-ts';
import type { RuntimeEnv } from '../../../sdk/runtime/env';
import { decodeOrThrow } from '../../model/decode';
import { TABLES } from '../../model/tables';
import { AwsContext } from './context';
import { DynamoDbKeyValueStore } from './dynamodb-store';
import { S3PackageStore } from './s3-packages';
import { SnsMessaging } from './sns-messaging';

/**
 * The Lambda handler around a workflow's runtime. The generated bundle entry does
 *
 *     export const handler = lambdaHandler(createRuntime(wf, config));
 *
 * It imports only the DynamoDB, SNS and S3 adapters (and the Lambda runtime provides the
 * AWS SDK), so a function's bundle carries the runtime and nothing of the control plane.
 */

/** One SNS record as Lambda delivers it (the fields we use). */
const SnsRecord = t.type({
  EventSource: t.literal('aws:sns'),
  Sns: t.type({ Message: t.string, TopicArn: t.string, MessageId: t.string }),
});

/** The event of an SNS-triggered invocation. */
export const SnsEvent = t.type({ Records: t.array(SnsRecord) });
export type SnsEvent = t.TypeOf<typeof SnsEvent>;

/** The part of Lambda's context object we use. */
export interface LambdaContext {
  invokedFunctionArn: string;
  /** the same on Lambda's retries of an asynchronous invocation: the runtime's lease owner */
  awsRequestId?: string;
}

/** What the handler needs of the runtime (sdk/runtime createRuntime's result). */
export interface HandlesMessages {
  handle(env: RuntimeEnv, message: string): Promise<{ outcome: string; error?: string }>;
}

/** The environment of one warm Lambda container: its adapters are built once and reused. */
export function awsRuntimeEnv(region: string, accountId: string, endpoint?: string): RuntimeEnv {
  const ctx = new AwsContext({ accountId, endpoint });
  return {
    region,
    // join items expire like the AWS target's (index.ts SYNC_TABLE_TTL_S; not imported, to keep the bundle small)
    tables: new DynamoDbKeyValueStore({ clientFor: (r) => ctx.client(DynamoDBClient, r), expiring: { [TABLES.syncMessages]: 86_400 } }),
    messaging: new SnsMessaging(ctx),
    packages: new S3PackageStore(ctx, false),
    now: () => new Date(),
    // stdout is the function's CloudWatch log stream, which the log syncer reads
    log: (line) => process.stdout.write(line.endsWith('\n') ? line : line + '\n'),
    // the role may touch only its own workflow's join items (policies.ts runtimePolicy)
    scopeJoinKeys: true,
  };
}

/** Builds the Lambda handler: unwraps each SNS record and hands its message to the runtime. */
export function lambdaHandler(runtime: HandlesMessages): (event: unknown, context: LambdaContext) => Promise<void> {
  let env: RuntimeEnv | undefined;
  return async (event, context) => {
    if (!env) {
      const region = process.env.AWS_REGION;
      if (!region) throw new Error('AWS_REGION is not set: this handler runs on Lambda');
      // arn:aws:lambda:<region>:<account>:function:<name>
      const account = context.invokedFunctionArn.split(':')[4];
      env = awsRuntimeEnv(region, account, process.env.CARIBOU_AWS_ENDPOINT);
    }
    const records = decodeOrThrow(SnsEvent, event, 'the SNS event').Records;
    for (const r of records) {
      let result: { outcome: string; error?: string };
      try {
        // one delivery per record: the request id, plus the message id when a batch holds several
        const deliveryId = context.awsRequestId ? (records.length > 1 ? `${context.awsRequestId}/${r.Sns.MessageId}` : context.awsRequestId) : undefined;
        result = await runtime.handle(deliveryId ? { ...env, deliveryId } : env, r.Sns.Message);
      } catch (err) {
        // A message that is not an envelope of this workflow never becomes one: log and drop
        // it rather than let Lambda retry it. Anything else (throttling, a network fault) is
        // thrown so Lambda's asynchronous retries deliver it again; the runtime's lease and
        // checkpoint on each instance make the retry resume where this attempt stopped.
        if ((err as Error)?.name === 'EnvelopeError') {
          env.log(JSON.stringify({ level: 'ERROR', event: 'BAD_MESSAGE', message_id: r.Sns.MessageId, error: (err as Error).message }));
          continue;
        }
        throw err;
      }
      // A user-code failure is recorded by the runtime; retrying would run the code again.
      if (result.outcome === 'failed' || result.outcome === 'hop-limit') {
        env.log(JSON.stringify({ level: 'ERROR', event: 'HOP_FAILED', message_id: r.Sns.MessageId, outcome: result.outcome, error: result.error }));
      }
    }
  };
}
