import { execFile } from 'node:child_process'

/**
 * `required`: an audit that cannot run fails. `auto` (the default): a registry that offers no audit
 * API (a mirror answering 404/405/501) is reported as not run, and passes; anything else that keeps
 * the audit from running fails. `off`: not run at all (say why where it is set).
 */
export type AuditMode = 'auto' | 'required' | 'off'
export const AUDIT_MODES: readonly AuditMode[] = ['auto', 'required', 'off']

/** What `pnpm audit --prod --json` printed, and how it exited. */
export interface AuditRun {
  exitCode: number
  stdout: string
  stderr: string
}

export interface AuditVerdict {
  ok: boolean
  /** False when no advisory was checked (a pass then is a warning, not a result). */
  ran: boolean
  /** What to print, one finding a line. */
  lines: string[]
}

/** Severities that fail the check. */
const FAILING = ['critical', 'high'] as const
const SEVERITIES = ['critical', 'high', 'moderate', 'low', 'info'] as const

interface Advisory {
  module_name: string
  severity: string
  title: string
  url: string
  vulnerable_versions?: string
  patched_versions?: string
  findings?: Array<{ version: string; paths: string[] }>
}

interface AuditReport {
  advisories?: Record<string, Advisory>
  metadata?: { vulnerabilities?: Record<string, number> }
  error?: { code?: string; message?: string }
}

/** HTTP statuses by which a registry says it has no audit API at all (rather than "not now"). */
const NO_AUDIT_API = /responded with (404|405|501)\b/

function parse(stdout: string): AuditReport | undefined {
  try {
    const parsed = JSON.parse(stdout) as unknown
    return parsed && typeof parsed === 'object' ? (parsed as AuditReport) : undefined
  } catch {
    return undefined
  }
}

const firstLine = (text: string) => text.trim().split('\n')[0]?.trim() ?? ''

/** The check's decision on one run of `pnpm audit --prod --json` against `registry`. */
export function auditVerdict(run: AuditRun, mode: AuditMode, registry: string): AuditVerdict {
  const report = parse(run.stdout)
  if (report?.error || !report) {
    const message = report?.error?.message ?? (firstLine(run.stderr) || firstLine(run.stdout))
    if (report?.error && NO_AUDIT_API.test(message)) {
      const status = NO_AUDIT_API.exec(message)?.[1]
      const lines = [
        `dependency audit NOT RUN: the registry ${registry} offers no audit API (it answers ${status}): ${message}`,
      ]
      if (mode === 'required') return { ok: false, ran: false, lines }
      lines.push(
        'No advisory was checked. Run it against a registry that answers audits, or set DEPENDENCY_AUDIT=required to fail here instead.',
      )
      return { ok: true, ran: false, lines }
    }
    return {
      ok: false,
      ran: false,
      lines: [
        `dependency audit failed: could not reach the audit endpoint of ${registry} or read its answer: ${message || `exit code ${run.exitCode}, no output`}`,
        'A network failure is no pass: run it again, or set DEPENDENCY_AUDIT=off (and say why) to skip it.',
      ],
    }
  }

  const counts = report.metadata?.vulnerabilities ?? {}
  const summary = SEVERITIES.filter((severity) => (counts[severity] ?? 0) > 0)
    .map((severity) => `${counts[severity]} ${severity}`)
    .join(', ')
  const failing = Object.values(report.advisories ?? {}).filter((advisory) =>
    (FAILING as readonly string[]).includes(advisory.severity),
  )
  if (failing.length === 0) {
    return {
      ok: true,
      ran: true,
      lines: [
        `dependency audit: no high or critical advisory in the production dependencies (${summary || 'none at all'})`,
      ],
    }
  }
  const lines = [`dependency audit failed: ${summary} in the production dependencies`]
  for (const advisory of failing) {
    lines.push(
      `  ${advisory.severity} ${advisory.module_name} ${advisory.vulnerable_versions ?? ''} (fixed in ${advisory.patched_versions ?? '?'}): ${advisory.title} ${advisory.url}`,
    )
    for (const finding of advisory.findings ?? []) {
      for (const path of finding.paths) lines.push(`    ${finding.version} via ${path}`)
    }
  }
  lines.push(
    'Upgrade the dependency, or pin a fixed version under `overrides` in pnpm-workspace.yaml with a comment saying why.',
  )
  return { ok: false, ran: true, lines }
}

/** Runs `pnpm audit --prod --json` in `cwd`; never rejects for a non-zero exit. */
export function runPnpmAudit(cwd: string): Promise<AuditRun> {
  return new Promise((resolve, reject) => {
    execFile(
      'pnpm',
      ['audit', '--prod', '--json'],
      { cwd, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code
        // A spawn failure (no pnpm) has a string code; an exit code is a number.
        if (typeof code === 'string') return reject(error)
        resolve({ exitCode: typeof code === 'number' ? code : 0, stdout, stderr })
      },
    )
  })
}

/** The registry pnpm uses (`pnpm config get registry`). */
export function pnpmRegistry(cwd: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('pnpm', ['config', 'get', 'registry'], { cwd }, (error, stdout) =>
      resolve(error ? '(the configured registry)' : stdout.trim()),
    )
  })
}
