import { readdirSync, readFileSync } from 'node:fs'

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux x86-64 and arm64). */
const TICKS_PER_SECOND = 100

interface Stat {
  ppid: number
  ticks: number
  system: number
  /** Time of children that exited and were waited for (cutime + cstime). */
  reapedTicks: number
  reapedSystem: number
}

function readStat(pid: number): Stat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may contain spaces: fields are counted after its closing ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const [utime = 0, stime = 0, cutime = 0, cstime = 0] = fields.slice(11, 15).map(Number)
    return {
      ppid: Number(fields[1]),
      ticks: utime + stime,
      system: stime,
      reapedTicks: cutime + cstime,
      reapedSystem: cstime,
    }
  } catch {
    return undefined
  }
}

/** The process and its direct children (PostgreSQL's backends are children of the postmaster). */
function withChildren(pid: number): number[] {
  const pids = [pid]
  for (const entry of readdirSync('/proc')) {
    const child = Number(entry)
    if (Number.isInteger(child) && readStat(child)?.ppid === pid) pids.push(child)
  }
  return pids
}

/**
 * CPU ticks of a process, and with `children` those of its live children plus the ones already
 * reaped (a PostgreSQL backend that exits moves its time into the postmaster's cutime/cstime).
 */
function ticksOf(pid: number, children: boolean): { ticks: number; system: number } {
  const own = readStat(pid)
  if (!own) return { ticks: 0, system: 0 }
  if (!children) return { ticks: own.ticks, system: own.system }
  let ticks = own.ticks + own.reapedTicks
  let system = own.system + own.reapedSystem
  for (const child of withChildren(pid).slice(1)) {
    const stat = readStat(child)
    ticks += stat?.ticks ?? 0
    system += stat?.system ?? 0
  }
  return { ticks, system }
}

/** Whole-machine CPU ticks from /proc/stat: busy (everything but idle and iowait) and steal. */
function machineTicks(): { busy: number; steal: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields
  return { busy: user + nice + system + irq + softirq + steal, steal }
}

export interface CpuTarget {
  name: string
  pid: number | undefined
  /** Count the direct children too (PostgreSQL backends). */
  children?: boolean
}

/**
 * CPU use per process over a window, in % of one core (200 % = both cores of a 2-core machine),
 * and the kernel's part of it (system time: syscalls, e.g. loopback TCP).
 */
export type CpuUsage = Record<string, { total: number; system: number }>

/**
 * Measures how busy each process was between start() and stop(), from /proc times: cheap enough
 * to run during every measured run, and it shows which process bounds a figure.
 */
export function cpuWindow(targets: readonly CpuTarget[]): { stop(): CpuUsage } {
  const live = targets.filter((target): target is CpuTarget & { pid: number } => target.pid !== undefined)
  const started = performance.now()
  const before = live.map((target) => ticksOf(target.pid, target.children ?? false))
  const self = process.cpuUsage()
  const machineBefore = machineTicks()
  return {
    stop() {
      const seconds = (performance.now() - started) / 1000
      const usage: CpuUsage = {}
      const percent = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND / seconds) * 100)
      live.forEach((target, index) => {
        const now = ticksOf(target.pid, target.children ?? false)
        usage[target.name] = {
          total: percent(now.ticks - before[index]!.ticks),
          system: percent(now.system - before[index]!.system),
        }
      })
      const { user, system } = process.cpuUsage(self)
      const bench = (microseconds: number) => Math.round((microseconds / 1e6 / seconds) * 100)
      usage.bench = { total: bench(user + system), system: bench(system) }
      // All processes of the machine together: near 100 % × cores means the figure was CPU-starved.
      const machine = machineTicks()
      usage.machine = {
        total: percent(machine.busy - machineBefore.busy),
        system: percent(machine.steal - machineBefore.steal),
      }
      return usage
    },
  }
}

/** Peak resident set size (VmHWM) of a running process, in MiB. */
export function peakRssMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Math.round(Number(match[1]) / 1024) : undefined
  } catch {
    return undefined
  }
}

export function formatCpu(usage: CpuUsage): string {
  return Object.entries(usage)
    .map(([name, { total, system }]) =>
      name === 'machine'
        ? `whole machine ${total}% (steal ${system}%)`
        : `${name} ${total}% (sys ${system}%)`,
    )
    .join(', ')
}
