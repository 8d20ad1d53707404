// Values that global-setup.ts hands to every integration test file through vitest's provide/inject.
declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap servers of the shared broker, e.g. `127.0.0.1:41234`. Never stop it from a test. */
    kafkaBrokers: string
    /** Admin URL (superuser, `postgres` database) of the shared PostgreSQL server. */
    databaseUrl: string
    /** Why the shared servers could not be started; every integration test then fails with it. */
    testServersError: string
  }
}

export {}
