import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '@kafka-ref/local-servers'
import { parse } from 'yaml'

export interface ComposeService {
  image?: string
  build?: { dockerfile: string; args?: Record<string, string> }
  environment?: Record<string, string | number>
  ports?: string[]
  command?: string[]
  healthcheck?: { test: string[] }
  /** Started only when one of these profiles is asked for (`--profile`). */
  profiles?: string[]
  depends_on?: Record<string, { condition: string; required?: boolean }>
}

/** docker-compose.yml, read for the tests: the image test starts its containers as it says. */
export class ComposeFile {
  readonly services: Record<string, ComposeService>

  constructor(file = join(repoRoot(), 'docker-compose.yml')) {
    // `merge`: the services' environments start from the `<<: *service-env` anchor.
    this.services = (
      parse(readFileSync(file, 'utf8'), { merge: true }) as { services: ComposeFile['services'] }
    ).services
  }

  service(name: string): ComposeService {
    const found = this.services[name]
    if (!found) throw new Error(`docker-compose.yml has no service ${name}`)
    return found
  }

  /** The service's environment, every value a string (as a container gets it). */
  environment(name: string): Record<string, string> {
    return Object.fromEntries(
      Object.entries(this.service(name).environment ?? {}).map(([key, value]) => [key, String(value)]),
    )
  }

  /** `127.0.0.1:3001:3001` → { host: 3001, container: 3001 }. */
  published(name: string): Array<{ host: number; container: number }> {
    return (this.service(name).ports ?? []).map((port) => {
      const [host, container] = port.split(':').slice(-2).map(Number)
      return { host: host!, container: container! }
    })
  }
}
