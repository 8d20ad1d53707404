export * from './frontend.ts'
export * from './service-process.ts'
export * from './start-system.ts'
