import { UserError } from '../model/errors';
import type { Secrets } from './ports';

/**
 * Secrets handed to code that reads them from an environment (the collectors read
 * ELECTRICITY_MAPS_AUTH_TOKEN). A deployed function's environment holds only
 * `<NAME>_PARAMETER`, the name of the secret; the value is fetched here at run time.
 */

/** Secrets from an environment (the local target, and the CLI on the operator's machine). */
export class EnvSecrets implements Secrets {
  constructor(private readonly env: Record<string, string | undefined> = process.env) {}

  async get(name: string): Promise<string | undefined> {
    const v = this.env[name];
    return v === undefined || v === '' ? undefined : v;
  }
}

/**
 * `env` with each of `names` filled from the secret its `<name>_PARAMETER` names. A name the
 * environment already holds is kept; a parameter that is named but absent is an error that
 * says which (silently falling back would hide a misconfigured deployment).
 */
export async function withSecrets(env: Record<string, string | undefined>, secrets: Secrets | undefined, names: readonly string[]): Promise<Record<string, string | undefined>> {
  const out = { ...env };
  for (const name of names) {
    const parameter = env[`${name}_PARAMETER`];
    if (!parameter || out[name]) continue;
    if (!secrets) throw new UserError(`${name}_PARAMETER names the secret ${parameter}, but this target has no secret store`);
    const value = await secrets.get(parameter);
    if (value === undefined) throw new UserError(`${name}_PARAMETER names the secret ${parameter}, which does not exist (create it as an SSM SecureString parameter)`);
    out[name] = value;
  }
  return out;
}
