import { createServer, type Server } from 'node:net'

function listen(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}

/**
 * Asks the OS for `count` distinct free ports on 127.0.0.1. All servers are held open until every
 * port is known, so the same port cannot be handed out twice.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = []
  try {
    for (let i = 0; i < count; i++) servers.push(await listen())
    return servers.map((server) => {
      const address = server.address()
      if (address === null || typeof address === 'string') throw new Error('unexpected server address')
      return address.port
    })
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  }
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1)
  return port!
}
