/**
 * The Lambda glue the bundler (src/deploy/bundle.ts) wires in when this file exists:
 * `export const handler = lambdaHandler(runtime)`. It lives with the AWS adapters.
 */
export { lambdaHandler } from '../../src/cloud/aws/lambda-entry';
