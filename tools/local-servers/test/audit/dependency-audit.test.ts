import { describe, expect, it } from 'vitest'
import { type AuditRun, auditVerdict } from '../../src/audit/dependency-audit.ts'

const REGISTRY = 'https://registry.example.test/'

/** What `pnpm audit --json` prints for a report (the fields the check reads). */
function report(advisories: Array<{ module: string; severity: string; path: string }>): AuditRun {
  const counts = { info: 0, low: 0, moderate: 0, high: 0, critical: 0 } as Record<string, number>
  for (const advisory of advisories) counts[advisory.severity]! += 1
  return {
    exitCode: advisories.length > 0 ? 1 : 0,
    stdout: JSON.stringify({
      advisories: Object.fromEntries(
        advisories.map((advisory, i) => [
          String(1000 + i),
          {
            module_name: advisory.module,
            severity: advisory.severity,
            title: `${advisory.module} is vulnerable`,
            url: `https://github.com/advisories/GHSA-${i}`,
            vulnerable_versions: '<2.0.0',
            patched_versions: '>=2.0.0',
            findings: [{ version: '1.0.0', paths: [advisory.path] }],
          },
        ]),
      ),
      metadata: { vulnerabilities: counts, dependencies: 300 },
    }),
    stderr: '',
  }
}

const refusedByRegistry: AuditRun = {
  exitCode: 1,
  stdout: JSON.stringify({
    error: {
      code: 'ERR_PNPM_AUDIT_BAD_RESPONSE',
      message:
        'The audit endpoint (at https://registry.example.test/-/npm/v1/security/audits/quick) responded with 405: . Fallback endpoint (at https://registry.example.test/-/npm/v1/security/audits) responded with 405: ',
    },
  }),
  stderr: '',
}

const unreachable: AuditRun = {
  exitCode: 1,
  stdout: '',
  stderr:
    ' ECONNREFUSED  request to https://registry.example.test/-/npm/v1/security/audits/quick failed, reason: connect ECONNREFUSED 10.0.0.1:443\n\nFetchError: request to ... failed\n    at ClientRequest.<anonymous>',
}

describe('the dependency audit (pnpm audit --prod --json)', () => {
  it('fails on a high or a critical advisory, naming each one and the path that brings it in', () => {
    const verdict = auditVerdict(
      report([
        { module: 'left-pad', severity: 'critical', path: 'microservices/user-service>left-pad' },
        { module: 'tiny-glob', severity: 'high', path: 'tools>tiny-glob' },
        { module: 'chalkish', severity: 'moderate', path: 'tools>chalkish' },
      ]),
      'auto',
      REGISTRY,
    )
    expect(verdict.ok).toBe(false)
    const text = verdict.lines.join('\n')
    expect(text).toContain('critical left-pad')
    expect(text).toContain('microservices/user-service>left-pad')
    expect(text).toContain('https://github.com/advisories/GHSA-0')
    expect(text).toContain('high tiny-glob')
    // Below the bar: counted, not listed as failing.
    expect(text).not.toContain('moderate chalkish')
    expect(text).toMatch(/1 critical, 1 high/)
  })

  it('passes when nothing is high or critical, saying what it counted', () => {
    const verdict = auditVerdict(
      report([{ module: 'chalkish', severity: 'moderate', path: 'tools>chalkish' }]),
      'auto',
      REGISTRY,
    )
    expect(verdict).toMatchObject({ ok: true, ran: true })
    expect(verdict.lines.join('\n')).toMatch(/no high or critical advisory.*1 moderate/)
    expect(auditVerdict(report([]), 'required', REGISTRY).ok).toBe(true)
  })

  it('reports a registry without the audit API (a mirror answering 405) as not run; fails it when required', () => {
    const auto = auditVerdict(refusedByRegistry, 'auto', REGISTRY)
    expect(auto).toMatchObject({ ok: true, ran: false })
    expect(auto.lines.join('\n')).toMatch(/NOT RUN.*registry\.example\.test.*405/s)
    expect(auto.lines.join('\n')).toContain('DEPENDENCY_AUDIT=required')
    const required = auditVerdict(refusedByRegistry, 'required', REGISTRY)
    expect(required.ok).toBe(false)
    expect(required.lines.join('\n')).toMatch(/registry\.example\.test.*405/s)
  })

  it('fails when the audit endpoint cannot be reached (a network failure is no pass), unless turned off', () => {
    for (const mode of ['auto', 'required'] as const) {
      const verdict = auditVerdict(unreachable, mode, REGISTRY)
      expect(verdict.ok, mode).toBe(false)
      expect(verdict.lines.join('\n'), mode).toMatch(/could not reach.*ECONNREFUSED/s)
      expect(verdict.lines.join('\n'), mode).toContain('DEPENDENCY_AUDIT=off')
    }
  })

  it('fails on output it cannot read rather than passing it', () => {
    const verdict = auditVerdict({ exitCode: 0, stdout: 'not json', stderr: '' }, 'auto', REGISTRY)
    expect(verdict.ok).toBe(false)
  })
})
