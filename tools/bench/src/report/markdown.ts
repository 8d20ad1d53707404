import { formatActivity } from '../measurement/pg-activity.ts'
import { formatCpu } from '../measurement/procs.ts'
import type { Figure } from './figure.ts'
import type { Machine } from './machine.ts'
import type { Summary } from './stats.ts'

export interface Report {
  date: string
  command: string
  durationSeconds: number
  machine: Machine
  runsPerFigure: number
  figures: Figure[]
  /** Peak RSS (VmHWM) per process label, MiB. */
  peakRssMiB: Record<string, number>
  uncleanExits: string[]
}

const number = (value: number) =>
  value >= 100 ? Math.round(value).toLocaleString('en-US') : value >= 10 ? value.toFixed(1) : value.toFixed(2)

function cell(summary: Summary | undefined, unit: string): string {
  if (!summary) return '—'
  const range = summary.runs.length > 1 ? ` (${number(summary.min)}–${number(summary.max)})` : ''
  return `${number(summary.median)} ${unit}${range}`
}

/** Two decimals, or two significant digits for the tiny ratios of hashing-bound figures. */
const ratio = (value: number) => (value >= 0.1 ? value.toFixed(2) : value.toPrecision(2))

function ratioCell(summary: Summary | undefined): string {
  if (!summary) return '—'
  const range = summary.runs.length > 1 ? ` (${ratio(summary.min)}–${ratio(summary.max)})` : ''
  return `${ratio(summary.median)}${range}`
}

export function renderMarkdown(report: Report): string {
  const rows = report.figures.map((figure) =>
    [
      `${figure.id}. ${figure.title}`,
      `${cell(figure.subject, figure.unit)}<br>${figure.subjectLabel}`,
      `${cell(figure.baseline, figure.unit)}<br>${figure.baselineLabel}`,
      ratioCell(figure.ratio),
      figure.target?.text ?? '—',
      figure.target ? (figure.target.met ? 'yes' : '**no**') : '—',
    ].join(' | '),
  )
  const bare = report.peakRssMiB['bare Fastify (baseline)']
  const memory = Object.entries(report.peakRssMiB)
    .filter(([label]) => label !== 'bare Fastify (baseline)')
    .map(([label, mib]) =>
      [
        `6. Peak RSS, ${label}`,
        `${mib} MiB`,
        bare ? `${bare} MiB<br>bare Fastify server` : '—',
        bare ? (mib / bare).toFixed(2) : '—',
        '—',
        '—',
      ].join(' | '),
    )
  const m = report.machine
  const lines = [
    `Measured ${report.date}, ${report.runsPerFigure} interleaved run(s) per figure (median, min–max), ${report.durationSeconds} s in all.`,
    '',
    `Command: \`${report.command}\``,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.kernel}; Node ${m.node}; ${m.kafka}; ${m.postgres}.`,
    '',
    '| figure | subject | baseline | ratio | target | met? |',
    '| --- | --- | --- | --- | --- | --- |',
    ...[...rows, ...memory].map((row) => `| ${row} |`),
    '',
    `CPU during the subject’s median run (% of one core; the machine has ${m.cores * 100} %):`,
    '',
    ...report.figures
      .filter((figure) => figure.cpu)
      .map(
        (figure) =>
          `- ${figure.id}: ${formatCpu(figure.cpu!)}${figure.baselineCpu ? `; baseline run: ${formatCpu(figure.baselineCpu)}` : ''}`,
      ),
    '',
    'What the subject’s PostgreSQL connections were doing during its median run (pg_stat_activity, sampled every 25 ms):',
    '',
    ...report.figures
      .filter((figure) => figure.pg)
      .map((figure) => `- ${figure.id}: ${formatActivity(figure.pg!)}`),
    '',
    'Notes:',
    '',
    ...report.figures.filter((figure) => figure.notes).map((figure) => `- ${figure.id}: ${figure.notes}`),
    ...(report.uncleanExits.length > 0
      ? [`- services that did not exit with code 0 on SIGTERM: ${report.uncleanExits.join('; ')}`]
      : []),
  ]
  return `${lines.join('\n')}\n`
}
