import { UserError } from '../../model/errors';
import { SYSTEM_REGION } from '../../model/tables';

/**
 * What every AWS adapter shares: where to send requests (AWS or an emulator such as
 * moto), which account they act in, and one SDK client per (service, region).
 *
 * This file imports no `@aws-sdk/*` package on purpose: each adapter imports only its own
 * client, so the bundle of a user function (sdk runtime + SNS, DynamoDB and S3 adapters)
 * carries only what it needs.
 */
export interface AwsOptions {
  /** Send every request here instead of AWS (e.g. http://127.0.0.1:5000 for moto). */
  endpoint?: string;
  /** The account id; found with STS GetCallerIdentity when absent. */
  accountId?: string;
  /** Where the control plane lives (Step Functions, EventBridge timers); default SYSTEM_REGION. */
  controlRegion?: string;
  /** Attempts per request, retries included (default 6). */
  maxAttempts?: number;
}

/** The shape every SDK v3 client constructor accepts that we use. */
interface ClientConfig {
  region: string;
  endpoint?: string;
  maxAttempts: number;
  retryMode: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  forcePathStyle?: boolean;
}

type ClientClass<C> = new (config: ClientConfig) => C;

/** Retries: the SDK's adaptive mode is exponential backoff with jitter plus client-side rate limiting. */
const MAX_ATTEMPTS = 6;

/** Shared AWS settings and a per-region client cache (one client per service and region). */
export class AwsContext {
  readonly endpoint?: string;
  readonly controlRegion: string;
  private readonly maxAttempts: number;
  private account?: Promise<string>;
  private readonly clients = new Map<string, { destroy(): void }>();

  constructor(
    opts: AwsOptions,
    /** Finds the account id when it was not given (STS in the CLI; the function ARN on Lambda). */
    private readonly resolveAccount?: (ctx: AwsContext) => Promise<string>,
  ) {
    this.endpoint = opts.endpoint;
    this.controlRegion = opts.controlRegion ?? SYSTEM_REGION;
    this.maxAttempts = opts.maxAttempts ?? MAX_ATTEMPTS;
    if (opts.accountId !== undefined) this.account = Promise.resolve(assertAccountId(opts.accountId));
  }

  /** The client of `Client`'s service for `region`, created once and reused. */
  client<C extends { destroy(): void }>(Client: ClientClass<C>, region: string): C {
    const id = `${Client.name}/${region}`;
    let c = this.clients.get(id) as C | undefined;
    if (!c) {
      const config: ClientConfig = { region, maxAttempts: this.maxAttempts, retryMode: 'adaptive' };
      if (this.endpoint) {
        config.endpoint = this.endpoint;
        // An emulator accepts any credentials; supply dummy ones so a machine without an
        // AWS profile can still run the integration tests. Real credentials, when set, win.
        if (!process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE) {
          config.credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
        }
        // Emulators serve buckets on the path, not as virtual hosts.
        config.forcePathStyle = true;
      }
      c = new Client(config);
      explainMissingCredentials(c);
      this.clients.set(id, c);
    }
    return c;
  }

  /** The account id (12 digits). */
  accountId(): Promise<string> {
    if (!this.account) {
      if (!this.resolveAccount) throw new Error('the AWS account id is unknown: set CARIBOU_AWS_ACCOUNT_ID');
      this.account = this.resolveAccount(this).then(assertAccountId);
      // a failed lookup (e.g. no credentials yet) may be retried by the next call
      this.account.catch(() => (this.account = undefined));
    }
    return this.account;
  }

  /** The ARN partition; every region we place functions in is in `aws`. */
  get partition(): string {
    return 'aws';
  }

  /** Releases every client's sockets. */
  close(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }
}

/** Checks an account id before it becomes part of an ARN or a bucket name. */
export function assertAccountId(id: string): string {
  if (!/^\d{12}$/.test(id)) throw new Error(`"${id}" is not an AWS account id (12 digits)`);
  return id;
}

/** The slice of an SDK v3 client's middleware stack we use. */
interface WithMiddleware {
  middlewareStack?: {
    add(mw: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>, opts: { step: 'initialize'; name: string }): void;
  };
}

/**
 * Every adapter's first call fails the same way when no credentials are configured; say
 * what to do once, here, instead of "internal error: Could not load credentials".
 */
function explainMissingCredentials(client: unknown): void {
  (client as WithMiddleware).middlewareStack?.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        const e = err as Error;
        if (e?.name === 'CredentialsProviderError' || /Could not load credentials/i.test(e?.message ?? '')) {
          throw new UserError(
            `no AWS credentials were found (${e.message}): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run \`aws sso login\`; ` +
              'to use an emulator instead, set CARIBOU_AWS_ENDPOINT',
          );
        }
        throw err;
      }
    },
    { step: 'initialize', name: 'caribouExplainMissingCredentials' },
  );
}
