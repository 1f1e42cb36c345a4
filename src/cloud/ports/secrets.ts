/**
 * Secret values (API tokens) read at run time, never from a file Caribou writes: on AWS an
 * SSM Parameter Store SecureString named by an environment variable (the template and the
 * state files hold only the name), locally the process environment.
 */
export interface Secrets {
  /** the value of secret `name`, or undefined when there is none */
  get(name: string): Promise<string | undefined>;
}
