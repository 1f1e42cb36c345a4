/** Topics per region (SNS on AWS): one topic per deployed function per region. */
export interface Messaging {
  /** Creates the topic if missing and returns its identifier (an ARN on AWS). */
  createTopic(region: string, name: string): Promise<string>;
  /** Subscribes a function (by physical name) to a topic. Idempotent. */
  subscribe(region: string, topic: string, functionName: string): Promise<void>;
  /** Publishes one message (≤ 256 KB) to a topic. */
  publish(region: string, topic: string, message: string): Promise<void>;
  /** Deletes a topic and its subscriptions (no error when absent). */
  deleteTopic(region: string, topic: string): Promise<void>;
  /** Topics that exist in a region. */
  listTopics(region: string): Promise<string[]>;
}

/** Thrown by `publish` when the region cannot be reached; the runtime then falls back to home. */
export class RegionUnreachableError extends Error {
  constructor(readonly region: string) {
    super(`region ${region} is unreachable`);
    this.name = 'RegionUnreachableError';
  }
}
