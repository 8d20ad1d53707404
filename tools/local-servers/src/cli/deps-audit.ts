import {
  AUDIT_MODES,
  type AuditMode,
  auditVerdict,
  pnpmRegistry,
  runPnpmAudit,
} from '../audit/dependency-audit.ts'
import { repoRoot } from '../util/repo-root.ts'
import { runCli, UsageError } from './run-cli.ts'

const cli = {
  command: 'pnpm deps:audit',
  options: { mode: { type: 'string' } },
  help: [
    "Checks the production dependencies against the registry's advisories (`pnpm audit --prod`) and fails on",
    'a high or critical one (CI runs it before the tests).',
    '  --mode auto      (default; or DEPENDENCY_AUDIT) a registry without the audit API (a mirror answering',
    '                   404/405/501) is reported as NOT RUN and passes; an unreachable one fails',
    '  --mode required  an audit that cannot run fails',
    '  --mode off       skip it',
  ].join('\n'),
} as const

runCli(cli, async ({ mode: flag }) => {
  const mode = (flag ?? (process.env.DEPENDENCY_AUDIT || 'auto')) as AuditMode
  if (!AUDIT_MODES.includes(mode))
    throw new UsageError(
      `invalid mode '${mode}' (from ${flag ? '--mode' : 'DEPENDENCY_AUDIT'}); one of ${AUDIT_MODES.join(', ')}`,
    )
  if (mode === 'off') {
    console.log('dependency audit skipped (DEPENDENCY_AUDIT=off)')
    return
  }
  const cwd = repoRoot()
  const [run, registry] = await Promise.all([runPnpmAudit(cwd), pnpmRegistry(cwd)])
  const verdict = auditVerdict(run, mode, registry)
  for (const line of verdict.lines) (verdict.ok && verdict.ran ? console.log : console.error)(line)
  if (!verdict.ok) process.exitCode = 1
})
