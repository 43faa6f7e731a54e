/**
 * @module test/discovery/helpers
 * Shared pieces of the discovery tests: a pipeline assembled from YAML against simulators, a
 * logger that keeps its lines, and readers for `/discovery` and `/promregatorMetrics`.
 */
import type { Assembled } from '../../../src/assemble.ts'
import type { Logger } from '../../../src/log.ts'
import { assembleFromYaml } from '../../scrape/pipeline-support.ts'
import { proxyAwareFetch } from '../../support/proxy-fetch.ts'
import type { Simulator } from '../../support/simulator/index.ts'

/** A logger that keeps every line as `level msg {fields}`. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  const log = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`)
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
}

/** The `cf:` block for one simulator, indented for a list entry when `name` is given. */
export function cfBlock(sim: Simulator, extra = '', name?: string): string {
  const lines = [
    `api_host: ${sim.apiUrl}`,
    `username: ${sim.credentials.username}`,
    `password: ${sim.credentials.password}`,
    ...(extra.includes('request:') ? [] : ['request: { backoff: 20 }']),
    ...extra.split('\n').filter((l) => l.trim() !== ''),
  ]
  if (name === undefined) return `cf:\n${lines.map((l) => `  ${l}`).join('\n')}\n`
  return [`  - name: ${name}`, ...lines.map((l) => `    ${l}`)].join('\n') + '\n'
}

/** Assembles the pipeline from a YAML text. */
export function build(yaml: string, logger: Logger): Assembled {
  return assembleFromYaml(yaml, { fetch: proxyAwareFetch, logger })
}

export interface Group {
  targets: string[]
  labels: Record<string, string>
}

/** GET on the app with a fixed Host. */
export async function get(p: Assembled, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const response = await p.app.request(path, { headers: { host: 'promregator.test:8080', ...headers } })
  return { status: response.status, body: await response.text() }
}

/** `/discovery` as parsed groups. */
export async function discovery(p: Assembled): Promise<Group[]> {
  const response = await get(p, '/discovery')
  if (response.status !== 200) throw new Error(`/discovery answered ${response.status}`)
  return JSON.parse(response.body) as Group[]
}

/** App names of the instance groups of a discovery document, with instance numbers (`app/0`), sorted. */
export function instancesOf(groups: Group[]): string[] {
  return groups
    .filter((g) => g.labels.__meta_promregator_target_applicationName !== undefined)
    .map((g) => `${g.labels.__meta_promregator_target_applicationName}/${g.labels.__meta_promregator_target_instanceNumber}`)
    .sort()
}

/** Sample lines of `/promregatorMetrics` whose name starts with `prefix`. */
export async function ownSamples(p: Assembled, prefix: string): Promise<string[]> {
  const body = (await get(p, '/promregatorMetrics', { accept: 'text/plain;version=0.0.4' })).body
  return body.split('\n').filter((line) => line.startsWith(prefix))
}

/** Waits until `check` holds, polling; fails with `what` after `ms`. */
export async function eventually(check: () => Promise<boolean> | boolean, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
