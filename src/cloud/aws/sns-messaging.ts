import {
  CreateTopicCommand,
  DeleteTopicCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  PublishCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
  type Subscription,
} from '@aws-sdk/client-sns';
import { RegionUnreachableError, type Messaging } from '../ports';
import type { AwsContext } from './context';
import { attempt, awsError, neverReached, unlessNotFound } from './errors';
import { assertRegion, assertTopicName, functionArn, topicArn } from './names';
import { topicPolicy } from './policies';

/** SNS's limit on one message, envelope included. */
const SNS_MAX_BYTES = 256 * 1024;

/**
 * Gives a topic the right to invoke a function (a Lambda resource policy). Injected, so
 * the runtime's bundle, which never subscribes, does not carry the Lambda client.
 */
export type GrantInvoke = (region: string, functionName: string, topicArn: string) => Promise<void>;

/** Messaging on SNS: one topic per deployed function per region, delivering to Lambda. */
export class SnsMessaging implements Messaging {
  constructor(
    private readonly ctx: AwsContext,
    private readonly grantInvoke?: GrantInvoke,
  ) {}

  private sns(region: string): SNSClient {
    return this.ctx.client(SNSClient, assertRegion(region));
  }

  private async arn(region: string, topic: string): Promise<string> {
    return topicArn(region, await this.ctx.accountId(), topic);
  }

  async createTopic(region: string, name: string): Promise<string> {
    assertTopicName(name);
    const account = await this.ctx.accountId();
    const sns = this.sns(region);
    const r = await attempt('create topic', `${name} in ${region}`, () =>
      sns.send(new CreateTopicCommand({ Name: name })),
    );
    const TopicArn = r.TopicArn ?? topicArn(region, account, name);
    // Set after creating (not as a CreateTopic attribute) so that re-creating a topic whose
    // policy changed stays idempotent instead of failing with "different attributes".
    await attempt('set the policy of topic', TopicArn, () =>
      sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'Policy', AttributeValue: JSON.stringify(topicPolicy(TopicArn, account)) })),
    );
    return TopicArn;
  }

  /** Every subscription of a topic, across all pages. */
  async subscriptions(region: string, topic: string): Promise<Subscription[]> {
    const TopicArn = await this.arn(region, topic);
    const out: Subscription[] = [];
    let NextToken: string | undefined;
    do {
      const r = await attempt('list the subscriptions of', TopicArn, () => this.sns(region).send(new ListSubscriptionsByTopicCommand({ TopicArn, NextToken })));
      out.push(...(r.Subscriptions ?? []));
      NextToken = r.NextToken;
    } while (NextToken);
    return out;
  }

  async subscribe(region: string, topic: string, functionName: string): Promise<void> {
    if (!this.grantInvoke) throw new Error('this SnsMessaging cannot grant invoke permissions (runtime-only instance)');
    const TopicArn = await this.arn(region, topic);
    const Endpoint = functionArn(region, await this.ctx.accountId(), functionName);
    const existing = await this.subscriptions(region, TopicArn);
    if (!existing.some((s) => s.Protocol === 'lambda' && s.Endpoint === Endpoint)) {
      await attempt('subscribe', `${Endpoint} to ${TopicArn}`, () => this.sns(region).send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint })));
    }
    await this.grantInvoke(region, functionName, TopicArn);
  }

  async publish(region: string, topic: string, message: string): Promise<void> {
    const bytes = Buffer.byteLength(message, 'utf8');
    if (bytes > SNS_MAX_BYTES) {
      // The runtime spills large payloads to S3 before this point; reaching here is a bug.
      throw new Error(`message of ${bytes} bytes exceeds SNS's ${SNS_MAX_BYTES}-byte limit (topic ${topic}); it must be spilled to storage`);
    }
    const TopicArn = await this.arn(region, topic);
    try {
      await this.sns(region).send(new PublishCommand({ TopicArn, Message: message }));
    } catch (err) {
      // After the SDK's own retries, and only when the message surely was not accepted: the
      // caller then falls back to the home region (after a timeout it might have been, and a
      // second copy sent home would run the successor twice, claimed in two regions)
      if (neverReached(err)) throw new RegionUnreachableError(region);
      throw awsError(err, 'publish to', TopicArn);
    }
  }

  async deleteTopic(region: string, topic: string): Promise<void> {
    const TopicArn = await this.arn(region, topic);
    const subs = await unlessNotFound('list the subscriptions of', TopicArn, () => this.subscriptions(region, TopicArn), []);
    for (const s of subs) {
      const SubscriptionArn = s.SubscriptionArn;
      // pending confirmations have no ARN to unsubscribe; they vanish with the topic
      if (!SubscriptionArn || !SubscriptionArn.startsWith('arn:')) continue;
      await unlessNotFound('unsubscribe', SubscriptionArn, () => this.sns(region).send(new UnsubscribeCommand({ SubscriptionArn })), undefined);
    }
    await unlessNotFound('delete topic', TopicArn, () => this.sns(region).send(new DeleteTopicCommand({ TopicArn })), undefined);
  }

  async listTopics(region: string): Promise<string[]> {
    const out: string[] = [];
    let NextToken: string | undefined;
    do {
      const r = await attempt('list topics in', region, () => this.sns(region).send(new ListTopicsCommand({ NextToken })));
      for (const t of r.Topics ?? []) if (t.TopicArn) out.push(t.TopicArn);
      NextToken = r.NextToken;
    } while (NextToken);
    return out.sort();
  }
}
