import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { ProfileListener, type ProfileListenerOptions } from './profile-listener.ts'

declare module 'fastify' {
  interface FastifyInstance {
    profileListener: ProfileListener
  }
}

export interface ProfileListenerPluginOptions extends ProfileListenerOptions {
  connectionString: string
}

async function profileListenerPlugin(app: FastifyInstance, options: ProfileListenerPluginOptions) {
  const { connectionString, ...listenerOptions } = options
  const listener = new ProfileListener(
    connectionString,
    app.log.child({ component: 'profile-listener' }),
    listenerOptions,
  )
  await listener.start()
  app.decorate('profileListener', listener)
  // Waiting requests look once more and answer at once instead of holding the shutdown.
  app.addHook('preClose', async () => {
    await listener.close()
  })
}

export default fp(profileListenerPlugin, { name: 'profile-listener', dependencies: ['database'] })
