export {
  type BuiltFile,
  buildFrontend,
  type FrontendApi,
  FrontendServer,
  type FrontendServerOptions,
  type SystemWithPage,
  startSystemWithPage,
} from './frontend.ts'
export { type ServiceName, ServiceProcess, type ServiceProcessOptions } from './service-process.ts'
export { type RunningSystem, type SystemOptions, startSystem } from './start-system.ts'
