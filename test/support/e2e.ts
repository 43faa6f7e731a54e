/**
 * @module test/support/e2e
 * The moving parts of the end-to-end tests: free ports, polling, the compiled binary as a child
 * process, and a real Prometheus with its query API.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { BINARY } from './requirements.ts'

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
export async function startBinary(dir: string, configYaml: string): Promise<{ url: string; child: ChildProcess; logs: string[] }> {
  const port = await freePort()
  writeFileSync(join(dir, 'promregator.yml'), configYaml)
  const child = spawn(BINARY, ['--config', join(dir, 'promregator.yml')], { env: { PATH: process.env.PATH, PORT: String(port) }, cwd: dir })
  const logs: string[] = []
  child.stderr!.on('data', (d: Buffer) => logs.push(d.toString()))
  child.stdout!.on('data', (d: Buffer) => logs.push(d.toString()))
  const url = `http://127.0.0.1:${port}`
  await waitFor('the binary to be ready', async () => ((await fetch(`${url}/-/ready`)).status === 200 ? true : undefined))
  return { url, child, logs }
}

/** Starts Prometheus (scrape interval 2 s) with `scrapeConfigs` (YAML list items) in `dir`. */
export async function startPrometheus(
  binary: string,
  dir: string,
  scrapeConfigs: string,
): Promise<{ url: string; child: ChildProcess; query: (promql: string) => Promise<Series[]> }> {
  const port = await freePort()
  writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 2s\n  scrape_timeout: 1500ms\nscrape_configs:\n${scrapeConfigs}`)
  const child = spawn(
    binary,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
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
