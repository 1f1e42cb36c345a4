/** The deployment manager: is a solve worth it, and with how many hour slots a day. */
export * from './budget';
export * from './manager';
