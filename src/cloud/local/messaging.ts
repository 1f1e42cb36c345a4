import * as path from 'path';
import { RegionUnreachableError, type Messaging } from '../ports';
import { UserError } from '../../model/errors';
import { StateShapes, readJson, writeJson } from './json-file';

/** SNS's limit on one message, in bytes (256 KiB). */
export const SNS_MAX_BYTES = 262_144;

interface TopicRecord {
  name: string;
  subscribers: string[];
}

/** Topics and subscriptions per simulated region, persisted in topics.json. */
export class TopicRegistry {
  private readonly file: string;
  private cache: Record<string, Record<string, TopicRecord>> | undefined;

  constructor(home: string) {
    this.file = path.join(home, 'topics.json');
  }

  all(): Record<string, Record<string, TopicRecord>> {
    return (this.cache ??= readJson<Record<string, Record<string, TopicRecord>>>(this.file, {}, StateShapes.byRegion));
  }

  save(): void {
    writeJson(this.file, this.all());
  }

  /** The subscribed function names of a topic, or undefined when the topic does not exist. */
  subscribers(region: string, topic: string): string[] | undefined {
    return this.all()[region]?.[topic]?.subscribers;
  }
}

/** The ARN-like identifier of a local topic (the same shape as on AWS, so codecs and logs agree). */
export function topicArn(region: string, name: string): string {
  return `arn:aws:sns:${region}:000000000000:${name}`;
}

/** Where a publish goes: the engine queues it for delivery after a latency drawn from the data. */
export interface DeliverySink {
  /** Queues `message` for each subscriber of the topic; `from` is the sender's region (undefined: a client outside the cloud). */
  enqueue(from: string | undefined, region: string, subscribers: string[], message: string, sentAt: number): void;
  /** The time a publish happens at, for the sender. */
  now(): number;
}

/**
 * Messaging (SNS locally). A publisher in a region gets its own view (`from`), so the
 * delivery latency is that of the region pair and the send time is the sender's clock.
 */
export class LocalMessaging implements Messaging {
  constructor(
    private readonly topics: TopicRegistry,
    private readonly regions: ReadonlySet<string>,
    private readonly outage: ReadonlySet<string>,
    private readonly sink: DeliverySink,
    private readonly from?: string,
    private readonly clock?: () => number,
  ) {}

  /** The same messaging as seen by a publisher in `region` (undefined: a client outside the cloud) with its own clock. */
  from_(region: string | undefined, clock: () => number): LocalMessaging {
    return new LocalMessaging(this.topics, this.regions, this.outage, this.sink, region, clock);
  }

  private checkRegion(region: string): void {
    if (!this.regions.has(region)) throw new UserError(`region ${region} is not one of the local cloud's simulated regions`);
  }

  async createTopic(region: string, name: string): Promise<string> {
    this.checkRegion(region);
    const arn = topicArn(region, name);
    const all = this.topics.all();
    const inRegion = (all[region] ??= {});
    if (!inRegion[arn]) {
      inRegion[arn] = { name, subscribers: [] };
      this.topics.save();
    }
    return arn;
  }

  async subscribe(region: string, topic: string, functionName: string): Promise<void> {
    const t = this.topics.all()[region]?.[topic];
    if (!t) throw new Error(`topic ${topic} does not exist in ${region}`);
    if (!t.subscribers.includes(functionName)) {
      t.subscribers.push(functionName);
      this.topics.save();
    }
  }

  async publish(region: string, topic: string, message: string): Promise<void> {
    if (this.outage.has(region)) throw new RegionUnreachableError(region);
    const subscribers = this.topics.subscribers(region, topic);
    if (!subscribers) throw new Error(`SNS NotFound: topic ${topic} does not exist in ${region}`);
    const bytes = Buffer.byteLength(message, 'utf8');
    if (bytes > SNS_MAX_BYTES) throw new Error(`SNS InvalidParameter: message is ${bytes} bytes, above the ${SNS_MAX_BYTES}-byte limit`);
    this.sink.enqueue(this.from, region, subscribers, message, this.clock ? this.clock() : this.sink.now());
  }

  async deleteTopic(region: string, topic: string): Promise<void> {
    const inRegion = this.topics.all()[region];
    if (inRegion?.[topic]) {
      delete inRegion[topic];
      this.topics.save();
    }
  }

  async listTopics(region: string): Promise<string[]> {
    return Object.keys(this.topics.all()[region] ?? {}).sort();
  }
}
