import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type BucketLocationConstraint,
} from '@aws-sdk/client-s3';
import type { PackageStore } from '../ports';
import type { AwsContext } from './context';
import { UserError } from '../../model/errors';
import { attempt, awsError, isCode, isNotFound, unlessNotFound } from './errors';
import { bucketName, bucketRegion, PAYLOAD_PREFIX } from './names';

/**
 * PackageStore on S3: one private bucket per region (`caribou-<account>-<region>`), so a
 * function's code and its spilled payloads stay in the region that uses them.
 */
export class S3PackageStore implements PackageStore {
  private readonly ready = new Map<string, Promise<void>>();

  constructor(
    private readonly ctx: AwsContext,
    /**
     * false inside a function: buckets were made at deploy time (with the operator's
     * rights), and a function's role may not create buckets.
     */
    private readonly createBuckets = true,
    /** keys per ListObjectsV2 page (S3's maximum is 1,000; tests use small pages) */
    private readonly pageSize = 1000,
  ) {}

  private s3(region: string): S3Client {
    return this.ctx.client(S3Client, region);
  }

  /** The bucket name for a region. */
  async bucket(region: string): Promise<string> {
    return bucketName(await this.ctx.accountId(), region);
  }

  /** Creates the region's bucket if missing: private, with spilled payloads expiring. */
  ensureBucket(region: string): Promise<void> {
    if (!this.createBuckets) return Promise.resolve();
    let p = this.ready.get(region);
    if (!p) {
      p = this.createBucket(region);
      this.ready.set(region, p);
      p.catch(() => this.ready.delete(region));
    }
    return p;
  }

  private async createBucket(region: string): Promise<void> {
    const Bucket = await this.bucket(region);
    const s3 = this.s3(region);
    try {
      await s3.send(
        new CreateBucketCommand({
          Bucket,
          // us-east-1 is the one region that rejects an explicit location constraint
          ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
        }),
      );
    } catch (err) {
      if (!isCode(err, 'BucketAlreadyOwnedByYou', 'BucketAlreadyExists')) throw awsError(err, 'create bucket', Bucket);
      if (isCode(err, 'BucketAlreadyExists')) {
        // someone else owns this name: say so instead of failing later on access denied
        throw new UserError(`the bucket name ${Bucket} is taken by another account; set CARIBOU_BUCKET_PREFIX to another prefix`);
      }
    }
    await attempt('block public access of', Bucket, () =>
      s3.send(
        new PutPublicAccessBlockCommand({
          Bucket,
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
        }),
      ),
    );
    // Spilled payloads are only needed while a run is in flight.
    await attempt('set the lifecycle of', Bucket, () =>
      s3.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket,
          LifecycleConfiguration: { Rules: [{ ID: 'caribou-expire-payloads', Status: 'Enabled', Filter: { Prefix: PAYLOAD_PREFIX }, Expiration: { Days: 2 } }] },
        }),
      ),
    );
  }

  async put(region: string, key: string, body: Uint8Array): Promise<void> {
    await this.ensureBucket(region);
    const Bucket = await this.bucket(region);
    await attempt('upload', `s3://${Bucket}/${key}`, () => this.s3(region).send(new PutObjectCommand({ Bucket, Key: key, Body: body })));
  }

  async get(region: string, key: string): Promise<Uint8Array | undefined> {
    const Bucket = await this.bucket(region);
    return unlessNotFound(
      'download',
      `s3://${Bucket}/${key}`,
      async () => {
        const r = await this.s3(region).send(new GetObjectCommand({ Bucket, Key: key }));
        return r.Body ? await r.Body.transformToByteArray() : new Uint8Array();
      },
      undefined,
    );
  }

  async delete(region: string, key: string): Promise<void> {
    const Bucket = await this.bucket(region);
    await unlessNotFound('delete', `s3://${Bucket}/${key}`, () => this.s3(region).send(new DeleteObjectCommand({ Bucket, Key: key })), undefined);
  }

  async list(region: string, prefix: string): Promise<string[]> {
    const Bucket = await this.bucket(region);
    const out: string[] = [];
    let token: string | undefined;
    do {
      const r = await unlessNotFound(
        'list',
        `s3://${Bucket}/${prefix}`,
        () => this.s3(region).send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: this.pageSize })),
        undefined,
      );
      if (!r) return [];
      for (const o of r.Contents ?? []) if (o.Key) out.push(o.Key);
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  }

  /** Regions in which this account has a Caribou bucket. */
  async regions(): Promise<string[]> {
    const account = await this.ctx.accountId();
    const out: string[] = [];
    let token: string | undefined;
    do {
      const r = await attempt('list', 'buckets', () => this.s3(this.ctx.controlRegion).send(new ListBucketsCommand({ ContinuationToken: token })));
      for (const b of r.Buckets ?? []) {
        const region = b.Name ? bucketRegion(account, b.Name) : undefined;
        if (region) out.push(region);
      }
      token = r.ContinuationToken;
    } while (token);
    return out.sort();
  }

  /** Empties and deletes the region's bucket (no error when absent). */
  async dropBucket(region: string): Promise<void> {
    const Bucket = await this.bucket(region);
    const keys = await this.list(region, '');
    for (let i = 0; i < keys.length; i += 1000) {
      const Objects = keys.slice(i, i + 1000).map((Key) => ({ Key }));
      await attempt('empty', Bucket, () => this.s3(region).send(new DeleteObjectsCommand({ Bucket, Delete: { Objects, Quiet: true } })));
    }
    try {
      await this.s3(region).send(new DeleteBucketCommand({ Bucket }));
    } catch (err) {
      if (!isNotFound(err)) throw awsError(err, 'delete bucket', Bucket);
    }
    this.ready.delete(region);
  }
}

export { PAYLOAD_PREFIX } from './names';
