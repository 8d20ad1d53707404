import { withClient } from '@kafka-ref/testkit/clients'
import type { BenchContext } from '../context.ts'
import { interleave } from '../measurement/interleave.ts'
import { freshDatabase, freshSystemTopics, startService, stopService } from '../measurement/services.ts'
import { type Figure, figure } from '../report/figure.ts'
import { summarize } from '../report/stats.ts'
import { rawRun } from './e2e-raw.ts'
import { type System, systemRun } from './e2e-system.ts'

const NAMESPACE = 'bench-e2e-'

/** Figure 5: registration commit → profile stored, at a fixed rate, vs produce → consume on the same broker. */
export async function benchEndToEnd(ctx: BenchContext): Promise<Figure[]> {
  const { e2eRate, e2eSeconds } = ctx.sizes
  ctx.log(`figure 5: end to end, ${e2eRate} registrations/s for ${e2eSeconds} s`)
  await freshSystemTopics(ctx, NAMESPACE)
  const [userUrl, profileUrl] = await Promise.all([
    freshDatabase(ctx, 'bench_e2e_users'),
    freshDatabase(ctx, 'bench_e2e_profiles'),
  ])
  const userService = await startService(ctx, 'user-service', {
    databaseUrl: userUrl,
    namespace: NAMESPACE,
    env: { PASSWORD_HASH_COST: '4' },
  })
  const profileService = await startService(ctx, 'profile-service', {
    databaseUrl: profileUrl,
    namespace: NAMESPACE,
  })
  const tag = Date.now().toString(36)
  try {
    const results = await withClient(userUrl, (userDb) =>
      withClient(profileUrl, async (profileDb) => {
        const system: System = {
          userUrl: userService.url,
          userDb,
          profileDb,
          services: { user: userService, profile: profileService },
          databaseUrls: [userUrl, profileUrl],
        }
        await systemRun(ctx, system, `w${tag}`, 2)
        return interleave(ctx.sizes.runs, {
          baseline: (run) => rawRun(ctx, run, NAMESPACE),
          subject: (run) => systemRun(ctx, system, `e${run}${tag}`, e2eSeconds),
        })
      }),
    )
    // Median over the runs of each leg's percentile: where the system's latency goes.
    const leg = (name: string) =>
      summarize(results.subject.map((run) => run.p50.extra?.[name] ?? Number.NaN)).median.toFixed(1)
    const spec = {
      unit: 'ms',
      subjectLabel: 'user-service → outbox → Kafka → profile-service (hash cost 4)',
      baselineLabel: '@platformatic/kafka send → node-rdkafka consume, same broker and rate',
      notes:
        `${e2eRate}/s evenly spaced for ${e2eSeconds} s; system: DB commit timestamps; raw: send call → consume return. ` +
        `System legs (p50/p99 ms): commit → relay transaction ${leg('relayP50')}/${leg('relayP99')}, ` +
        `relay transaction → profile stored ${leg('consumerP50')}/${leg('consumerP99')}`,
    }
    return [
      figure(
        { ...spec, id: '5a', title: 'End to end, p50 latency' },
        results.subject.map((r) => r.p50),
        results.baseline.map((r) => r.p50),
      ),
      figure(
        { ...spec, id: '5b', title: 'End to end, p99 latency', target: { kind: 'max', ratio: 2 } },
        results.subject.map((r) => r.p99),
        results.baseline.map((r) => r.p99),
      ),
    ]
  } finally {
    await Promise.all([stopService(ctx, userService), stopService(ctx, profileService)])
  }
}
