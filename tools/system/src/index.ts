export {
  Balancer,
  type BalancerOptions,
  HAPROXY_MISSING,
  type LocalBalancedService,
  type ServerState,
} from './balancer.ts'
export {
  COMPOSE_BALANCER,
  COMPOSE_HAPROXY_CONFIG,
  COMPOSE_REPLICA_SLOTS,
  type ComposeFile,
  type ComposeService,
  composeBalancedServices,
  composeHaproxyConfig,
  parseCompose,
} from './compose-balancer.ts'
export {
  type BuiltFile,
  buildFrontend,
  type FrontendApi,
  FrontendServer,
  type FrontendServerOptions,
} from './frontend.ts'
export {
  BALANCER_CHECKS,
  BALANCER_TIMEOUTS,
  type BalancedReplicas,
  type BalancedServer,
  type BalancedService,
  type HaproxyConfigOptions,
  markedDownWithinMs,
  renderHaproxyConfig,
} from './haproxy-config.ts'
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
