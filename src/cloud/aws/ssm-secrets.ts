import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Secrets } from '../ports';
import type { AwsContext } from './context';
import { awsError, isCode } from './errors';

/**
 * Secrets from SSM Parameter Store (SecureString, decrypted by SSM), in the region the
 * control plane runs in.
 * Each value is read once per container: a warm Lambda reuses it, and a token rotated in SSM
 * reaches the next cold start.
 */
export class SsmSecrets implements Secrets {
  private readonly cache = new Map<string, Promise<string | undefined>>();

  constructor(private readonly ctx: AwsContext) {}

  get(name: string): Promise<string | undefined> {
    let v = this.cache.get(name);
    if (!v) {
      v = this.read(name);
      this.cache.set(name, v);
      // a failed read is not cached: the next invocation tries again
      v.catch(() => this.cache.delete(name));
    }
    return v;
  }

  private async read(name: string): Promise<string | undefined> {
    // on Lambda the parameter sits in the stack's own region (serverless.yml grants that one); elsewhere, the control region
    const region = (process.env.AWS_LAMBDA_FUNCTION_NAME && process.env.AWS_REGION) || this.ctx.controlRegion;
    const ssm = this.ctx.client(SSMClient, region);
    try {
      const r = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      return r.Parameter?.Value;
    } catch (err) {
      if (isCode(err, 'ParameterNotFound')) return undefined;
      throw awsError(err, 'read the SSM parameter', name);
    }
  }
}
