import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { runWorker, type Worker } from '../../src/index.ts'

function recordingWorker(events: string[]): Worker {
  return {
    start: async () => {
      events.push('start')
    },
    stop: async () => {
      events.push('stop')
    },
  }
}

describe('runWorker', () => {
  it('starts the worker when the app is ready and stops it before the plugins it uses close', async () => {
    const events: string[] = []
    const app = Fastify()
    app.addHook('onClose', async () => {
      events.push('pool closed')
    })
    runWorker(app, recordingWorker(events), { enabled: true })
    expect(events).toEqual([])
    await app.ready()
    expect(events).toEqual(['start'])
    await app.close()
    expect(events).toEqual(['start', 'stop', 'pool closed'])
  })

  it('never starts a disabled worker', async () => {
    const events: string[] = []
    const app = Fastify()
    runWorker(app, recordingWorker(events), { enabled: false })
    await app.ready()
    await app.close()
    expect(events).toEqual([])
  })
})
