import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { ProfileListener } from './profile-listener.ts'

declare module 'fastify' {
  interface FastifyInstance {
    profileListener: ProfileListener
  }
}

async function profileListenerPlugin(app: FastifyInstance, options: { connectionString: string }) {
  const listener = new ProfileListener(
    options.connectionString,
    app.log.child({ component: 'profile-listener' }),
  )
  await listener.start()
  app.decorate('profileListener', listener)
  // Waiting requests answer 404 at once instead of holding the shutdown.
  app.addHook('preClose', async () => {
    await listener.close()
  })
}

export default fp(profileListenerPlugin, { name: 'profile-listener', dependencies: ['database'] })
