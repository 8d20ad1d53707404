import type { ServiceName } from './service-process.ts'

/** Where the services run: `pnpm dev`, the tests, the fault run, the benchmark. */
export type PresetName = 'dev' | 'test' | 'faults' | 'bench-production'

type Env = Readonly<Record<string, string>>

/** What a preset sets on top of a service's defaults: for both services, then per service. */
export interface Preset {
  all: Env
  'user-service'?: Env
  'profile-service'?: Env
}

// Every request of these runs comes from 127.0.0.1, so the per-client registration limit goes up;
// the bounded hashing queue (tested in user-service) would answer 503 to bulk registrations at once.
const ONE_CLIENT_BULK = { REGISTER_RATE_LIMIT_MAX: '1000000', PASSWORD_HASH_QUEUE_MAX: '1000' }
// scrypt with N = 2^4: hashing cost is not what these runs measure, and 200 hashes at 2^17 take minutes.
const CHEAP_HASHES = { PASSWORD_HASH_COST: '4' }

/**
 * Every environment the tooling runs the services in, beside their defaults, in one table: what
 * differs between the runs and why. Anything else a run needs (its servers, namespace, one test's
 * own setting) is added by startSystem and by the caller.
 */
export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  // Every default; the page's CORS origins come from the dev CLI, which knows the page's port.
  dev: { all: { LOG_LEVEL: 'info' } },
  // The logs are part of what the register-flow test checks. No balancer follows a test's instances,
  // so a stop need not drain first (a test of the drain sets its own delay).
  test: { all: { LOG_LEVEL: 'info', SHUTDOWN_DRAIN_DELAY_MS: '0', ...CHEAP_HASHES, ...ONE_CLIENT_BULK } },
  faults: {
    all: { LOG_LEVEL: 'warn' },
    'user-service': { ...CHEAP_HASHES, ...ONE_CLIENT_BULK },
    'profile-service': {
      // The broker's lower bound: a killed instance's partitions move after 6 s instead of 10 s.
      CONSUMER_SESSION_TIMEOUT_MS: '6000',
      CONSUMER_RETRY_MAX_MS: '2000',
      // The rolling-deploy run reads every profile it registers, all from 127.0.0.1.
      PROFILE_RATE_LIMIT_MAX: '1000000',
    },
  },
  // Production settings, except where one benchmarking client would trip a per-client protection:
  // LOG_LEVEL=warn (info would log every request and event, which a production deployment may well
  // do, but then the figure measures pino, not the service) and the per-IP rate limits raised; the
  // register figures measure hashing under load, not how fast a full queue says 503.
  'bench-production': {
    all: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      REGISTER_RATE_LIMIT_MAX: '1000000000',
      PROFILE_RATE_LIMIT_MAX: '1000000000',
      PASSWORD_HASH_QUEUE_MAX: '10000',
    },
  },
}

/** A service's environment under a preset. */
export function presetEnv(preset: PresetName, service: ServiceName): Record<string, string> {
  return { ...PRESETS[preset].all, ...PRESETS[preset][service] }
}
