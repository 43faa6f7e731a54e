/**
 * The platform seam is real: a made-up platform of a few dozen lines (two targets with labels of
 * its own), passed to the assembly in place of the configured ones, is served by `/discovery`,
 * `/singleTargetMetrics`, `/metrics` and the status page without a change anywhere else.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assemble, type Assembled } from '../../src/assemble.ts'
import { loadConfigText } from '../../src/config/load.ts'
import { silentLogger } from '../../src/log.ts'
import { singleTargetPath, type ScrapeTarget } from '../../src/model/target.ts'
import type { Platform } from '../../src/platform/types.ts'

/** A fleet of units, each serving its metrics at `<base>/<unit>`. */
function fleetPlatform(base: string): Platform {
  const unit = (name: string, number: number): ScrapeTarget => ({
    id: `${name}:${number}`,
    url: `${base}/${name}/${number}`,
    headers: { 'x-unit': name },
    labels: { fleet: 'blue', unit: `${name}-${number}` },
    discoveryLabels: { __meta_promregator_target_fleet: 'blue', __meta_promregator_target_unit: `${name}-${number}` },
    display: { platform: 'fleet', owner: 'harbour', space: 'dock-7', app: name, instance: String(number), route: base, network: 'internal' },
  })
  return {
    name: 'fleet',
    refreshIntervalMs: 60_000,
    discover: async () => ({ targets: [unit('tug', 1), unit('barge', 2)], apps: 2, problems: [] }),
    invalidate: () => {},
    info: () => ({ kind: 'fleet', api: base, notes: [] }),
  }
}

let server: Server
let p: Assembled
const seen: string[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.url} ${req.headers['x-unit']}`)
    res.setHeader('content-type', 'text/plain; version=0.0.4')
    res.end(`# TYPE cargo_tons gauge\ncargo_tons ${req.url!.endsWith('/1') ? 12 : 40}\n`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const loaded = loadConfigText('cf: { api_host: api.unused.invalid, username: u, password: p }\n')
  if (!loaded.ok) throw new Error(loaded.problems.join('; '))
  p = assemble(loaded.config, { fetch: globalThis.fetch, logger: silentLogger, platforms: () => [fleetPlatform(base)] })
})
afterAll(async () => {
  p?.stop()
  await new Promise((resolve) => server.close(resolve))
})

const get = async (path: string, accept = 'text/plain') => {
  const response = await p.app.request(path, { headers: { host: 'promregator.test:8080', accept } })
  return { status: response.status, body: await response.text() }
}

describe('a made-up platform behind the seam', () => {
  it('is listed in /discovery with its own labels and single-target paths', async () => {
    const groups = JSON.parse((await get('/discovery')).body) as Array<{ targets: string[]; labels: Record<string, string> }>
    const units = groups.filter((g) => g.labels.__meta_promregator_target_fleet)
    expect(units.map((g) => [g.labels.__metrics_path__, g.labels.__meta_promregator_target_unit, g.targets[0]])).toEqual([
      ['/singleTargetMetrics/tug/1', 'tug-1', 'promregator.test:8080'],
      ['/singleTargetMetrics/barge/2', 'barge-2', 'promregator.test:8080'],
    ])
  })

  it('is scraped one target at a time, with the headers the platform chose', async () => {
    const target = p.targets.peek().targets.find((t) => t.display.app === 'barge')!
    const { status, body } = await get(singleTargetPath(target))
    expect(status).toBe(200)
    expect(body).toMatch(/^cargo_tons 40$/m)
    expect(body).toMatch(/^promregator_up 1$/m)
    expect(seen).toContain('/barge/2 barge')
    expect((await get('/singleTargetMetrics/barge/3')).status).toBe(404)
  })

  it('is merged into /metrics with its labels on every sample', async () => {
    const { body } = await get('/metrics')
    expect(body).toContain('cargo_tons{fleet="blue",unit="tug-1"} 12')
    expect(body).toContain('cargo_tons{fleet="blue",unit="barge-2"} 40')
    expect(body).toContain('promregator_up{fleet="blue",unit="tug-1"} 1')
  })

  it('is shown on the status page', async () => {
    const view = JSON.parse((await get('/', 'application/json')).body) as { rows: Array<{ app: string; owner: string; outcome: string }>; platforms: Array<{ name: string; info: { kind: string } }> }
    expect(view.rows.map((r) => `${r.owner}/${r.app} ${r.outcome}`).sort()).toEqual(['harbour/barge up', 'harbour/tug up'])
    expect(view.platforms.map((e) => `${e.info.kind} ${e.name}`)).toEqual(['fleet fleet'])
    expect((await get('/', 'text/html')).body).toContain('dock-7')
  })
})
