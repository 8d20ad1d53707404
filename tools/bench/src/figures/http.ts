import { RegisterUserResponse } from '@kafka-ref/shared-contracts'
import type { BenchContext } from '../context.ts'
import { peakRssMiB } from '../measurement/procs.ts'
import { freshSystemTopics } from '../measurement/services.ts'
import type { Figure } from '../report/figure.ts'
import { startBareServer } from './bare-baseline.ts'
import { benchProfileGet, startProfileTarget } from './http-get.ts'
import { HTTP_NAMESPACE } from './http-measure.ts'
import { benchRegister } from './http-register.ts'

/** Figures 1 and 2 against one bare Fastify server, the baseline of both. */
export async function benchHttp(ctx: BenchContext): Promise<Figure[]> {
  await freshSystemTopics(ctx, HTTP_NAMESPACE)
  const target = await startProfileTarget(ctx)
  // The shape and size of what POST /user/register answers.
  const user = RegisterUserResponse.parse({
    id: target.userId,
    email: 'bench_user@bench.example.com',
    username: 'bench_user',
    displayName: null,
    createdAt: new Date().toISOString(),
  })
  const bare = await startBareServer(target.profile, user)
  try {
    const figures = await benchProfileGet(ctx, target, () => startProfileTarget(ctx, { cache: false }), bare)
    figures.push(...(await benchRegister(ctx, bare)))
    return figures
  } finally {
    ctx.peakRss['bare Fastify (baseline)'] = peakRssMiB(bare.pid) ?? 0
    await bare.stop()
  }
}
