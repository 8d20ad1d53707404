import Fastify from 'fastify'

// The baseline of the HTTP figures: the same routes with nothing behind them, answering the JSON
// the service answered, from memory. Usage: bare-server.ts <port> <profile JSON> <user JSON>.
const [port, profileJson, userJson] = process.argv.slice(2)
const profile: unknown = JSON.parse(profileJson ?? '{}')
const user: unknown = JSON.parse(userJson ?? '{}')

const app = Fastify()
app.get('/profile/:id', async () => profile)
app.post('/user/register', async (_request, reply) => reply.code(201).send(user))
await app.listen({ host: '127.0.0.1', port: Number(port) })
console.log('listening')
