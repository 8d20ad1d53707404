export * from './service-process.ts'
export * from './start-system.ts'
