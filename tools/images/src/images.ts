import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '@kafka-ref/local-servers'
import { type Engine, engineCommand, engineCommandLogged } from './engine.ts'

export type ImageName = 'user-service' | 'profile-service' | 'frontend'
type BaseArg = 'NODE_IMAGE' | 'NGINX_IMAGE'

export interface ImageSpec {
  name: ImageName
  /** From the repository root, which is the build context. */
  dockerfile: string
  /** The Dockerfile ARG naming the runtime stage's base: the budget counts from its size. */
  runtimeBase: BaseArg
  buildArgs: Record<string, string>
  /** Megabytes (10^6 bytes) the image may add to its runtime base: the README's image size budgets. */
  budgetMb: number
}

export const SERVICE_IMAGES: readonly ImageSpec[] = [
  {
    name: 'user-service',
    dockerfile: 'microservices/Dockerfile',
    runtimeBase: 'NODE_IMAGE',
    buildArgs: { SERVICE: 'user-service', PORT: '3001' },
    budgetMb: 60,
  },
  {
    name: 'profile-service',
    dockerfile: 'microservices/Dockerfile',
    runtimeBase: 'NODE_IMAGE',
    buildArgs: { SERVICE: 'profile-service', PORT: '3002' },
    budgetMb: 60,
  },
]

/**
 * What the librdkafka in the profile-service image must support (node-rdkafka's `Kafka.features`):
 * TLS and SASL PLAIN/SCRAM to reach a secured cluster (SCRAM needs OpenSSL), and every codec a
 * producer may compress a batch with, since a consumer without the codec cannot read that batch.
 * Not required: `sasl_gssapi` (Kerberos: Cyrus SASL, its GSSAPI plugin and `kinit` in the image) and
 * `oidc` (libcurl); see the README's image section.
 */
export const RDKAFKA_FEATURES = [
  'ssl',
  'sasl',
  'sasl_plain',
  'sasl_scram',
  'gzip',
  'snappy',
  'lz4',
  'zstd',
] as const

/** The page is built with the URLs it calls (Vite bakes them in): pass them as build args. */
export function frontendImage(serviceUrls: { user: string; profile: string }): ImageSpec {
  return {
    name: 'frontend',
    dockerfile: 'frontend/Dockerfile',
    runtimeBase: 'NGINX_IMAGE',
    buildArgs: { VITE_USER_SERVICE_URL: serviceUrls.user, VITE_PROFILE_SERVICE_URL: serviceUrls.profile },
    budgetMb: 2,
  }
}

export const imageTag = (name: ImageName) => `localhost/kafka-ref/${name}:test`

/** The default value of `ARG name=value` in a Dockerfile (from the repository root). */
export function dockerfileArg(dockerfile: string, name: string): string | undefined {
  return readFileSync(join(repoRoot(), dockerfile), 'utf8').match(
    new RegExp(`^ARG ${name}=(\\S+)$`, 'm'),
  )?.[1]
}

/**
 * The base image an ARG names: IMAGES_NODE_IMAGE / IMAGES_NGINX_IMAGE where test.sh made local
 * ones (podman), else the Dockerfile's own default (the official image).
 */
export function baseImage(spec: ImageSpec, arg: BaseArg = spec.runtimeBase): string {
  const image = process.env[`IMAGES_${arg}`] || dockerfileArg(spec.dockerfile, arg)
  if (!image) throw new Error(`${spec.dockerfile} declares no default for ARG ${arg}`)
  return image
}

/** Builds `spec` from its Dockerfile; the build's output goes to `logFile`. Returns the seconds it took. */
export async function buildImage(engine: Engine, spec: ImageSpec, logFile: string): Promise<number> {
  const started = Date.now()
  const args: Record<string, string> = { ...spec.buildArgs }
  for (const arg of ['NODE_IMAGE', 'NGINX_IMAGE'] as const) {
    if (process.env[`IMAGES_${arg}`]) args[arg] = process.env[`IMAGES_${arg}`]!
  }
  await engineCommandLogged(
    engine,
    [
      'build',
      ...engine.buildFlags,
      '--file',
      spec.dockerfile,
      '--tag',
      imageTag(spec.name),
      ...Object.entries(args).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]),
      '.',
    ],
    { logFile, cwd: repoRoot() },
  )
  return (Date.now() - started) / 1000
}

/** Uncompressed size in bytes of every layer of the image (what `images` lists). */
export async function imageSize(engine: Engine, image: string): Promise<number> {
  const inspect = () => engineCommand(engine, ['image', 'inspect', '--format', '{{.Size}}', image])
  // BuildKit pulls a base into its own cache, not always into the engine's image list.
  const size = await inspect().catch(async () => {
    await engineCommand(engine, ['pull', '--quiet', image], { timeoutMs: 600_000 })
    return inspect()
  })
  return Number(size.trim())
}
