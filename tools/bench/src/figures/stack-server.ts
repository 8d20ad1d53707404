// Its augmentation of the route config (`config.rateLimit`) is what the route options carry.
import type {} from '@fastify/rate-limit'
import {
  parseConfig,
  profileJson,
  profileRouteOptions,
  SERVICE_NAME,
  sendProfileJson,
} from '@kafka-ref/profile-service'
import { baseAppOptions, createBaseApp } from '@kafka-ref/service-kit'
import { ProfileResponse } from '@kafka-ref/shared-contracts'

// The second baseline of figure 1 (1d): profile-service's own framework stack with nothing behind it.
// The base app every service gets (logging with redaction, request ids, CORS, rate limiting,
// metrics, load shedding, problem+json, OpenAPI) built from the service's own configuration, and
// GET /profile/:id with the service's route options (schema, rate limit), answering the profile
// from memory: what is left between this and the service is the service's own code (cache
// lookup, route handler, its other plugins). Usage: stack-server.ts <profile JSON>, with the
// service's environment (PORT included).
const config = parseConfig(process.env)
const json = profileJson(ProfileResponse.parse(JSON.parse(process.argv[2] ?? '{}')))
const app = await createBaseApp({
  name: SERVICE_NAME,
  version: '0.1.0',
  description: 'The framework baseline of benchmark figure 1d',
  ...baseAppOptions(config, {}),
})
app.get('/profile/:id', profileRouteOptions(config.profiles), async (_request, reply) =>
  sendProfileJson(reply, json),
)
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
console.log('listening')
