import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { ToolError } from '../util/tool-error.ts'
import { which } from '../util/which.ts'

const execFileAsync = promisify(execFile)

export const MIN_JAVA_MAJOR = 17

export const javaNotFoundMessage = `Kafka needs Java ${MIN_JAVA_MAJOR}+: 'java' was not found on PATH (install OpenJDK ${MIN_JAVA_MAJOR}, e.g. apt-get install openjdk-${MIN_JAVA_MAJOR}-jre-headless)`

export const mavenNotFoundMessage =
  "Downloading the Kafka jars needs Maven: 'mvn' was not found on PATH (install it, e.g. apt-get install maven)"

/** Parses the major version out of `java -version` output ("17.0.15", or "1.8.0_392" for Java 8). */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput)
  if (!match) return undefined
  const first = Number(match[1])
  return first === 1 ? Number(match[2]) : first
}

/** Resolves to the java executable, or rejects with a one-line ToolError saying how to install it. */
export async function requireJava(): Promise<string> {
  const java = which('java')
  if (!java) throw new ToolError(javaNotFoundMessage)
  // `java -version` prints to stderr.
  const { stderr } = await execFileAsync(java, ['-version']).catch((error: unknown) => {
    throw new ToolError(`Kafka needs Java ${MIN_JAVA_MAJOR}+: '${java} -version' failed (${String(error)})`)
  })
  const major = parseJavaMajor(stderr)
  if (major !== undefined && major < MIN_JAVA_MAJOR) {
    throw new ToolError(
      `Kafka needs Java ${MIN_JAVA_MAJOR}+: found Java ${major} at ${java} (install OpenJDK ${MIN_JAVA_MAJOR}, e.g. apt-get install openjdk-${MIN_JAVA_MAJOR}-jre-headless)`,
    )
  }
  return java
}

export function requireMaven(): string {
  const mvn = which('mvn')
  if (!mvn) throw new ToolError(mavenNotFoundMessage)
  return mvn
}
