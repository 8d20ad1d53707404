import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { ProfileCache, type ProfileCacheOptions } from './profile-cache.ts'
import { ProfileListener, type ProfileListenerOptions } from './profile-listener.ts'

declare module 'fastify' {
  interface FastifyInstance {
    profileListener: ProfileListener
    /** Served profiles, kept coherent by the listener's notifications. */
    profileCache: ProfileCache
  }
}

export interface ProfileListenerPluginOptions extends ProfileListenerOptions {
  connectionString: string
  cache: ProfileCacheOptions
}

async function profileListenerPlugin(app: FastifyInstance, options: ProfileListenerPluginOptions) {
  const { connectionString, cache: cacheOptions, ...listenerOptions } = options
  const listener = new ProfileListener(
    connectionString,
    app.log.child({ component: 'profile-listener' }),
    listenerOptions,
  )
  const cache = new ProfileCache(cacheOptions)
  // Before the first connection: the cache fills only while every notification is heard.
  listener.observe(cache)
  await listener.start()
  app.decorate('profileListener', listener)
  app.decorate('profileCache', cache)
  // Waiting requests look once more and answer at once instead of holding the shutdown.
  app.addHook('preClose', async () => {
    await listener.close()
  })
}

export default fp(profileListenerPlugin, { name: 'profile-listener', dependencies: ['database'] })
