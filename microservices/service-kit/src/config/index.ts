// The configuration part of service-kit on its own (zod only): a service's entry point parses its
// environment before anything that tracing instruments (pg) is loaded.
export * from './common-config.ts'
export * from './connection-env.ts'
export * from './define-config.ts'
export * from './env-types.ts'
export * from './load-config.ts'
