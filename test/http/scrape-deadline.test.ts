/**
 * Prometheus's scrape timeout bounds the wait on instances: with `X-Prometheus-Scrape-Timeout-Seconds`
 * shorter than an instance's delay, `/singleTargetMetrics` and `/metrics` answer before Prometheus
 * would give up, the slow instance reported down as a timeout; without the header (or with a
 * longer one) the configured `maxProcessingTime` applies.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assemble, type Assembled } from '../../src/assemble.ts'
import { loadConfigText } from '../../src/config/load.ts'
import { scrapeLimitsOf } from '../../src/http/scrape-deadline.ts'
import { silentLogger } from '../../src/log.ts'
import type { ScrapeTarget } from '../../src/model/target.ts'

let server: Server
let p: Assembled

const target = (name: string, url: string): ScrapeTarget => ({
  id: `${name}:0`,
  url,
  headers: {},
  labels: { app_name: name },
  discoveryLabels: {},
  display: { platform: '', owner: 'o', space: 's', app: name, instance: '0', route: url, network: 'external' },
})

beforeAll(async () => {
  // `/slow` answers after 2.5 s, `/fast` at once.
  server = createServer((req, res) => {
    const send = () => res.end(`# TYPE work gauge\nwork ${req.url === '/slow' ? 2 : 1}\n`)
    if (req.url === '/slow') setTimeout(send, 2500)
    else send()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const loaded = loadConfigText('cf: { api_host: api.unused.invalid, username: u, password: p }\npromregator: { scraping: { maxProcessingTime: 4000 } }\n')
  if (!loaded.ok) throw new Error(loaded.problems.join('; '))
  const platform = {
    name: 'test',
    refreshIntervalMs: 60_000,
    discover: async () => ({ targets: [target('slow', `${base}/slow`), target('fast', `${base}/fast`)], apps: 2, problems: [] }),
    invalidate: () => {},
    info: () => ({ kind: 'test', api: base, notes: [] }),
  }
  p = assemble(loaded.config, { fetch: globalThis.fetch, logger: silentLogger, platforms: () => [platform] })
})
afterAll(async () => {
  p?.stop()
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

async function timed(path: string, timeoutSeconds?: string) {
  const started = performance.now()
  const response = await p.app.request(path, { headers: timeoutSeconds ? { 'x-prometheus-scrape-timeout-seconds': timeoutSeconds } : {} })
  const body = await response.text()
  return { body, ms: performance.now() - started }
}

describe('the scrape timeout Prometheus sends', () => {
  it('ends the wait on a slow instance of /singleTargetMetrics before Prometheus gives up', async () => {
    const { body, ms } = await timed('/singleTargetMetrics/slow/0', '1')
    expect(body).toMatch(/^promregator_up 0$/m)
    expect(ms).toBeLessThan(1000)
    const outcome = p.outcomes.get('slow:0')
    expect(outcome).toMatchObject({ ok: false, reason: 'timeout' })
  })

  it('bounds every scrape of /metrics, keeping the fast instances', async () => {
    const { body, ms } = await timed('/metrics', '1.5')
    expect(ms).toBeLessThan(1500)
    expect(body).toContain('work{app_name="fast"} 1')
    expect(body).toContain('promregator_up{app_name="slow"} 0')
  })

  it('leaves maxProcessingTime in charge without the header or with a longer timeout', async () => {
    const { body } = await timed('/singleTargetMetrics/slow/0', '30')
    expect(body).toMatch(/^work 2$/m)
    expect((await timed('/singleTargetMetrics/slow/0')).body).toMatch(/^promregator_up 1$/m)
  })

  it('reads the header strictly', () => {
    expect(scrapeLimitsOf(undefined)).toEqual({})
    expect(scrapeLimitsOf('abc')).toEqual({})
    expect(scrapeLimitsOf('-1')).toEqual({})
    expect(scrapeLimitsOf('10', 0)).toEqual({ deadline: 9000 })
    expect(scrapeLimitsOf('0.5', 0)).toEqual({ deadline: 400 })
  })
})
