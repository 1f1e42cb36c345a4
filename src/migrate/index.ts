/** The deployment migrator: staged plans → live placement decisions, and cleanup of unused regions. */
export * from './migrator';
export * from './lease';
