/**
 * Functions drop an asynchronous event (a message delivery) older than this many seconds
 * instead of retrying it later; the migrator's grace period before removing an unused function
 * is longer, so no delayed event can reach a removed function.
 */
export const ASYNC_EVENT_MAX_AGE_S = 900;

/** What it takes to create one function in one region. */
export interface FunctionSpec {
  /** physical name, e.g. map_reduce-0_0_1-mapper_aws-us-east-1 */
  name: string;
  region: string;
  /** key of the code bundle in package storage */
  packageKey: string;
  /** the handler inside the bundle, e.g. index.handler */
  handler: string;
  memory: number;
  timeout: number;
  architecture: 'x86_64' | 'arm64';
  environment: Record<string, string>;
  /** IAM policy document (JSON) the function's role gets */
  policy?: unknown;
}

/** Functions per region (Lambda on AWS). */
export interface Functions {
  /** Creates or updates a function. */
  deploy(spec: FunctionSpec): Promise<void>;
  /** True when the function exists and is ready to be invoked. */
  isLive(region: string, name: string): Promise<boolean>;
  /** Deletes the function (and its role) if present. */
  remove(region: string, name: string): Promise<void>;
  /** Physical names of the functions in a region. */
  list(region: string): Promise<string[]>;
}
