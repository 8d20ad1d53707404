import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { repoRoot } from '../util/repo-root.ts'
import { ToolError } from '../util/tool-error.ts'
import { requireJava, requireMaven } from './requirements.ts'

/** The Apache Kafka release the local broker runs; tools/local-servers/kafka/pom.xml receives it as -Dkafka.version. */
export const KAFKA_VERSION = '4.1.1'

const MARKER = 'complete.json'

/** `<repo>/.cache/kafka-<version>`, or `$KAFKA_CACHE_DIR/kafka-<version>` (e.g. a CI cache folder). */
export function kafkaCacheDir(version = KAFKA_VERSION): string {
  return join(process.env.KAFKA_CACHE_DIR || join(repoRoot(), '.cache'), `kafka-${version}`)
}

function runMaven(mvn: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(mvn, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      resolve({ code, output: `${stdout}\n${stderr}` })
    })
  })
}

function lastLines(output: string, count: number): string {
  // mvn colours its output even with -B on some setups; escape codes would garble the message.
  const clean = stripVTControlCharacters(output)
  return clean
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '')
    .slice(-count)
    .join('\n')
}

/**
 * Makes sure the broker's jars are in `<repo>/.cache/kafka-<version>/lib` and returns that folder.
 * Maven runs only when the marker file is missing, so a second start works offline and fast.
 * Maven writes into a private folder that is renamed into place, so two processes fetching at
 * once (parallel test files) cannot leave a half-filled lib folder behind.
 */
export async function ensureKafkaJars(version = KAFKA_VERSION): Promise<string> {
  const cacheDir = kafkaCacheDir(version)
  const libDir = join(cacheDir, 'lib')
  if (existsSync(join(cacheDir, MARKER)) && existsSync(libDir)) return libDir

  await requireJava()
  const mvn = requireMaven()
  await mkdir(cacheDir, { recursive: true })
  const tmpDir = join(cacheDir, `lib.tmp-${process.pid}-${Date.now()}`)
  const pom = join(repoRoot(), 'tools', 'local-servers', 'kafka', 'pom.xml')
  const { code, output } = await runMaven(mvn, [
    '-q',
    '-B',
    '-f',
    pom,
    `-Dkafka.version=${version}`,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${tmpDir}`,
  ])
  if (code !== 0) {
    await rm(tmpDir, { recursive: true, force: true })
    throw new ToolError(
      `Downloading Apache Kafka ${version} jars with Maven failed (exit ${code}); last output:\n${lastLines(output, 12)}`,
    )
  }

  if (existsSync(join(cacheDir, MARKER)) && existsSync(libDir)) {
    // Another process finished first; its copy is as good as ours.
    await rm(tmpDir, { recursive: true, force: true })
    return libDir
  }
  await rm(libDir, { recursive: true, force: true })
  try {
    await rename(tmpDir, libDir)
  } catch (error) {
    await rm(tmpDir, { recursive: true, force: true })
    if (!existsSync(libDir)) throw error
  }
  await writeFile(
    join(cacheDir, MARKER),
    `${JSON.stringify({ version, fetchedAt: new Date().toISOString() })}\n`,
  )
  return libDir
}

/** Whether the jars are already cached (for messages like "downloading, this takes a minute"). */
export async function kafkaJarsCached(version = KAFKA_VERSION): Promise<boolean> {
  try {
    const marker = JSON.parse(await readFile(join(kafkaCacheDir(version), MARKER), 'utf8')) as {
      version?: string
    }
    return marker.version === version
  } catch {
    return false
  }
}
