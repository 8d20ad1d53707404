import { setTimeout as sleep } from 'node:timers/promises'
import { type BackoffOptions, backoffDelay, runWorker } from '@kafka-ref/service-kit'
import { Admin } from '@platformatic/kafka'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { weakTopicSettings } from './topic-durability.ts'

export interface TopicCheckPluginOptions {
  clientId: string
  bootstrapBrokers: readonly string[]
  /** The system's topics (namespaced): what the service writes and what provisioning creates. */
  topics: readonly string[]
}

/** Kafka may be down at start: the check waits for it, trying again up to every 30 s. */
const RETRY: BackoffOptions = { initialMs: 1_000, maxMs: 30_000 }

/**
 * Once Kafka answers after a start, tells the operator in the service's own log about a topic
 * weaker than the cluster allows (a replication factor below min(3, brokers), `min.insync.replicas`
 * below min(2, replication factor)): one warning line per topic and setting. With such a topic an
 * acknowledged event can be lost with one broker. It is where a production operator looks, and the
 * service that writes `user_register` and provisions both topics (the create-topics CLI) has the
 * admin client for it. The service runs either way: the check informs, it does not refuse.
 */
async function topicCheckPlugin(app: FastifyInstance, options: TopicCheckPluginOptions) {
  const log = app.log.child({ component: 'topic-check' })
  const stopping = new AbortController()
  let checking: Promise<void> | undefined

  const check = async () => {
    for (let attempt = 1; !stopping.signal.aborted; attempt++) {
      const admin = new Admin({
        clientId: `${options.clientId}-topic-check`,
        bootstrapBrokers: [...options.bootstrapBrokers],
        retries: 0,
        timeout: 5_000,
      })
      try {
        const lines = await weakTopicSettings(admin, options.topics)
        for (const line of lines) log.warn(line)
        return
      } catch (err) {
        log.debug(
          { err: { message: (err as Error).message }, attempt },
          'topic check: Kafka not reachable yet',
        )
      } finally {
        await admin.close().catch(() => undefined)
      }
      await sleep(backoffDelay(attempt, RETRY), undefined, { signal: stopping.signal }).catch(() => undefined)
    }
  }

  runWorker(
    app,
    {
      start: () => {
        // In the background: a down broker must not hold the start-up.
        checking = check()
      },
      stop: async () => {
        stopping.abort()
        await checking
      },
    },
    { enabled: true },
  )
}

export default fp(topicCheckPlugin, { name: 'topic-check' })
