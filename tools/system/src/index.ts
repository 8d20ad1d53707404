export {
  type BuiltFile,
  buildFrontend,
  type FrontendApi,
  FrontendServer,
  type FrontendServerOptions,
} from './frontend.ts'
export { PRESETS, type Preset, type PresetName, presetEnv } from './presets.ts'
export {
  SERVICE_NAMES,
  type ServiceName,
  ServiceProcess,
  type ServiceProcessOptions,
} from './service-process.ts'
export { createSystemTopics, startSystem } from './start-system.ts'
export type {
  KafkaSource,
  LocalKafkaOptions,
  LocalPostgresOptions,
  PostgresSource,
  RunningService,
  RunningSystem,
  ServiceSpec,
  SystemOptions,
} from './system-options.ts'
export { type SystemWithPage, startSystemWithPage } from './system-with-page.ts'
