/**
 * @module bench/support
 * Shared plumbing of the benchmark scripts (run under Bun): the simulated foundation and the
 * binary as separate processes, RSS from /proc, statistics, and writing one script's section of
 * docs/performance.md between its `<!-- name:start -->` / `<!-- name:end -->` markers, so that
 * each script rewrites only its own figures. All traffic stays on 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { createInterface } from 'node:readline'
import { simulatorYaml } from '../test/support/sim-config.ts'

export const ROOT = new URL('../', import.meta.url).pathname
export const BUN = `${ROOT}node_modules/.bin/bun`
/** The binary under test; BENCH_BINARY lets a variant build be compared. */
export const BINARY = process.env.BENCH_BINARY ?? `${ROOT}dist/promregator`
export const PERFORMANCE_MD = `${ROOT}docs/performance.md`

/** A child process that is killed when the bench exits, however it exits. */
const children = new Set<ChildProcess>()
for (const signal of ['exit', 'SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const child of children) child.kill('SIGKILL')
    if (signal !== 'exit') process.exit(130)
  })
}

export function track(child: ChildProcess): ChildProcess {
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** What the bench simulator prints once listening. */
export interface BenchSim {
  child: ChildProcess
  apiUrl: string
  proxyUrl: string
  username: string
  password: string
  /** `[guid, instances, route URL]` of every app. */
  apps: [string, number, string][]
}

/** Starts bench/sim-server.ts: `apps` apps × `instances` instances in one space, bodies of `series` samples. */
export async function startBenchSim(options: { apps: number; instances: number; series: number; delayMs?: number }): Promise<BenchSim> {
  const args = [String(options.apps), String(options.instances), String(options.series), String(options.delayMs ?? 0)]
  const child = track(spawn(BUN, [`${ROOT}bench/sim-server.ts`, ...args], { stdio: ['ignore', 'pipe', 'inherit'] }))
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`bench simulator exited with ${code}`)))
  })
  return { child, ...(JSON.parse(line) as Omit<BenchSim, 'child'>) }
}

/** Configuration selecting every app of the bench simulator, scraped through its gorouter. */
export function benchConfig(sim: BenchSim, extra = ''): string {
  return `${simulatorYaml(sim)}  discovery: { refreshInterval: 3600 }
  targets:
    - { orgName: org-0, spaceName: space-0, protocol: http }
${extra}`
}

/** A started server process and the port it announced in its `listening` log line. */
export interface Started {
  child: ChildProcess
  port: number
  base: string
}

/** Starts the binary with its configuration in PROMREGATOR_CONFIG_YAML on a free port. */
export function startBinary(configYaml: string, binary = BINARY): Promise<Started> {
  const child = track(
    spawn(binary, [], {
      cwd: os.tmpdir(),
      env: { PATH: process.env.PATH ?? '', PORT: '0', PROMREGATOR_CONFIG_YAML: configYaml },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  )
  let stderr = ''
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString()
      const port = /msg=listening port=(\d+)/.exec(stderr)?.[1] ?? /"msg":"listening","port":(\d+)/.exec(stderr)?.[1]
      if (port) resolve({ child, port: Number(port), base: `http://127.0.0.1:${port}` })
    })
    child.once('exit', (code) => reject(new Error(`binary exited with ${code}: ${stderr}`)))
  })
}

/** Polls until `url` answers 200. */
export async function waitFor200(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url)
      await response.arrayBuffer()
      if (response.status === 200) return
    } catch {
      // not listening yet
    }
    await sleep(20)
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`)
}

/** Resident set size now and at its peak (VmHWM), in MiB, from /proc. */
export function rss(pid: number): { rssMiB: number; peakMiB: number; anonMiB: number; fileMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024, anonMiB: kib('RssAnon') / 1024, fileMiB: kib('RssFile') / 1024 }
}

export function median(values: number[]): number {
  return percentile(values, 50)
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

/** CPU, memory and runtime versions, for the header of every section. */
export function machine(): string {
  const cpu = existsSync('/proc/cpuinfo') ? (/model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '?') : (os.cpus()[0]?.model ?? '?')
  return `${os.availableParallelism()} CPUs (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.platform()} ${os.release()}, Bun ${process.versions.bun ?? '?'}`
}

/** Saves a script's figures for bench/run.mjs's summary. */
export function saveResult(name: string, result: unknown): void {
  mkdirSync(`${ROOT}.tmp/bench`, { recursive: true })
  writeFileSync(`${ROOT}.tmp/bench/${name}.json`, `${JSON.stringify(result, null, 2)}\n`)
}

/** Replaces the section between `<!-- name:start -->` and `<!-- name:end -->`, appending it under `## title` if absent. */
export function writeSection(name: string, title: string, body: string): void {
  const start = `<!-- ${name}:start -->`
  const end = `<!-- ${name}:end -->`
  const section = `${start}\n${body.trim()}\n${end}`
  let doc = existsSync(PERFORMANCE_MD) ? readFileSync(PERFORMANCE_MD, 'utf8') : '# Performance\n'
  if (doc.includes(start) && doc.includes(end)) doc = doc.replace(new RegExp(`${start}[\\s\\S]*?${end}`), () => section)
  else doc = `${doc.replace(/\n*$/, '\n\n')}## ${title}\n\n${section}\n`
  writeFileSync(PERFORMANCE_MD, doc)
}

/** `1.23×`, with the target and whether it holds. */
export function verdict(ratio: number, target: string, holds: boolean): string {
  return `**${ratio.toFixed(2)}×** (target ${target}: ${holds ? 'met' : '**not met**'})`
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits)

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
