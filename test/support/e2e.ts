/**
 * @module test/support/e2e
 * The moving parts of the end-to-end tests: free ports, polling, stopping a child process, the
 * compiled binary as a child process, a real Prometheus with its query API, and both started
 * together in one folder. The benchmarks (bench/) use its free port and stop helpers too.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BINARY, findProgram, missing } from './requirements.ts'

/**
 * The programs an end-to-end test with Prometheus needs: dist/promregator, prometheus and
 * promtool. `skip` names what is missing (under REQUIRE_E2E=1 a missing one throws instead).
 */
export function prometheusRequirements(): { prometheusBin?: string; promtoolBin?: string; skip?: string } {
  const prometheusBin = findProgram('prometheus')
  const promtoolBin = findProgram('promtool')
  const skip = missing([
    { name: 'dist/promregator', present: existsSync(BINARY), hint: 'run npm run build' },
    { name: 'prometheus', present: !!prometheusBin, hint: 'apt-get install prometheus' },
    { name: 'promtool', present: !!promtoolBin, hint: 'apt-get install prometheus' },
  ])
  return { prometheusBin, promtoolBin, skip }
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Polls `probe` every 500 ms until it gives a value. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
}

/** One series of an instant query. */
export interface Series {
  metric: Record<string, string>
  value: [number, string]
}

/** Starts dist/promregator with `configYaml` written into `dir`, and waits until it is ready. */
async function startBinary(dir: string, configYaml: string): Promise<{ url: string; child: ChildProcess; logs: string[] }> {
  const port = await freePort()
  writeFileSync(join(dir, 'promregator.yml'), configYaml)
  const child = spawn(BINARY, ['--config', join(dir, 'promregator.yml')], { env: { PATH: process.env.PATH, PORT: String(port) }, cwd: dir })
  const logs: string[] = []
  child.stderr!.on('data', (d: Buffer) => logs.push(d.toString()))
  child.stdout!.on('data', (d: Buffer) => logs.push(d.toString()))
  const url = `http://127.0.0.1:${port}`
  try {
    await waitFor('the binary to be ready', async () => ((await fetch(`${url}/-/ready`)).status === 200 ? true : undefined))
  } catch (error) {
    child.kill('SIGKILL')
    throw new Error(`${(error as Error).message}; its output:\n${logs.join('')}`)
  }
  return { url, child, logs }
}

/** Starts Prometheus (scrape interval 2 s) with `scrapeConfigs` (YAML list items) in `dir`, and any further command-line `flags`. */
export async function startPrometheus(
  binary: string,
  dir: string,
  scrapeConfigs: string,
  flags: string[] = [],
): Promise<{ url: string; child: ChildProcess; query: (promql: string) => Promise<Series[]> }> {
  const port = await freePort()
  writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 2s\n  scrape_timeout: 1500ms\nscrape_configs:\n${scrapeConfigs}`)
  const child = spawn(
    binary,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', ...flags],
    { stdio: 'ignore' },
  )
  const url = `http://127.0.0.1:${port}`
  const query = async (promql: string): Promise<Series[]> => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`)
    const json = (await response.json()) as { status: string; data: { result: Series[] } }
    return json.data.result
  }
  return { url, child, query }
}

/** A `scrape_configs` item: job `name` scraping `path` of the server at `url` (YAML list item, two-space indent). */
export function staticJob(name: string, url: string, path = '/metrics'): string {
  return `  - job_name: ${name}\n    static_configs: [{ targets: ['${new URL(url).host}'] }]\n    metrics_path: ${path}\n`
}

/**
 * A `scrape_configs` item: job `sd` on the `/discovery` of the server at `url` (refreshed every
 * 2 s), each `[discovery label suffix, target label]` pair copied (`instanceId` → `instance`, ...).
 */
export function discoveryJob(url: string, labels: Array<[string, string]>): string {
  const relabel = labels.map(([meta, target]) => `      - { source_labels: [__meta_promregator_target_${meta}], target_label: ${target} }\n`).join('')
  return `  - job_name: sd\n    http_sd_configs:\n      - url: ${url}/discovery\n        refresh_interval: 2s\n    relabel_configs:\n${relabel}`
}

/** The binary and Prometheus scraping it, started by `startBinaryAndPrometheus`. */
export interface BinaryAndPrometheus {
  productUrl: string
  /** What the binary has written to stdout and stderr so far. */
  logs: string[]
  promUrl: string
  query: (promql: string) => Promise<Series[]>
  /** Ends both processes (SIGTERM, SIGKILL after 5 s) and removes the folder. */
  stop: () => Promise<void>
}

/**
 * Resolves once `child` has exited, sending SIGTERM and, should it linger, SIGKILL after 5 s.
 * A child that has already exited, by code or by signal, resolves at once.
 */
export function terminate(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
    setTimeout(() => child.kill('SIGKILL'), 5000).unref()
  })
}

/**
 * Starts dist/promregator with `configYaml`, then Prometheus with the `scrape_configs` items
 * `jobs(productUrl)` gives, both in a new temporary folder named after `name`. Should a start
 * fail, whatever was started is stopped again before the error is thrown.
 */
export async function startBinaryAndPrometheus(options: {
  name: string
  prometheusBin: string
  configYaml: string
  jobs: (productUrl: string) => string
  /** Further Prometheus flags, e.g. `--enable-feature=native-histograms`. */
  prometheusFlags?: string[]
}): Promise<BinaryAndPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), `promregator-e2e-${options.name}-`))
  let product: Awaited<ReturnType<typeof startBinary>> | undefined
  let prometheus: Awaited<ReturnType<typeof startPrometheus>> | undefined
  const stop = async () => {
    await Promise.all([terminate(prometheus?.child), terminate(product?.child)])
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    product = await startBinary(dir, options.configYaml)
    prometheus = await startPrometheus(options.prometheusBin, dir, options.jobs(product.url), options.prometheusFlags)
  } catch (error) {
    await stop()
    throw error
  }
  return { productUrl: product.url, logs: product.logs, promUrl: prometheus.url, query: prometheus.query, stop }
}
