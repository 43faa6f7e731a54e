/**
 * `/discovery` is serialised once per picture of targets: repeated requests (plain and gzip)
 * are served from the same body, and a refresh of discovery makes the next request build the
 * new document. The own metric `promregator_discovery_document_builds_total` counts the builds.
 */
import { gunzipSync, inflateSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { simConfig } from '../support/sim-config.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { assembleFrom, type Harness } from './harness.ts'

let sim: Simulator
let h: Harness
beforeAll(async () => {
  sim = await startSimulator(oneSpace('acme', 'dev', [{ name: 'web', instances: 2, routes: [{ host: 'web' }] }]))
  h = assembleFrom(simConfig(sim, `  targets:\n    - { orgName: acme, spaceName: dev, applicationRegex: ".*", protocol: http }`))
})
afterAll(async () => {
  h.stop()
  await sim.close()
})

async function builds(): Promise<number> {
  const text = await (await h.app.request('/promregatorMetrics')).text()
  const match = /^promregator_discovery_document_builds_total (\d+)/m.exec(text)
  if (!match) throw new Error('promregator_discovery_document_builds_total missing')
  return Number(match[1])
}

type Group = { targets: string[]; labels: Record<string, string> }
const paths = (groups: Group[]) => groups.map((g) => g.labels.__metrics_path__).sort()

describe('/discovery body cache', () => {
  it('serialises once per picture of targets, for plain and compressed answers alike', async () => {
    const first = await h.app.request('http://promregator.test:8080/discovery')
    expect(first.headers.get('content-type')).toMatch(/application\/json/)
    const text = await first.text()
    expect(await builds()).toBe(1)
    const second = await (await h.app.request('http://promregator.test:8080/discovery')).text()
    expect(second).toBe(text)
    const gzip = await h.app.request('http://promregator.test:8080/discovery', { headers: { 'accept-encoding': 'gzip' } })
    expect(gzip.headers.get('content-encoding')).toBe('gzip')
    expect(gzip.headers.get('vary')).toMatch(/accept-encoding/i)
    expect(gunzipSync(Buffer.from(await gzip.arrayBuffer())).toString()).toBe(text)
    const deflate = await h.app.request('http://promregator.test:8080/discovery', { headers: { 'accept-encoding': 'deflate' } })
    expect(deflate.headers.get('content-encoding')).toBe('deflate')
    expect(inflateSync(Buffer.from(await deflate.arrayBuffer())).toString()).toBe(text)
    expect(await builds()).toBe(1)
    expect(paths(JSON.parse(text) as Group[])).toHaveLength(3) // two instances and /promregatorMetrics
  })

  it('answers each advertised address with its own document', async () => {
    const other = JSON.parse(await (await h.app.request('http://elsewhere.test:9090/discovery')).text()) as Group[]
    expect(other.every((g) => g.targets[0] === 'elsewhere.test:9090')).toBe(true)
    expect(await builds()).toBe(2)
  })

  it('builds the document again after a refresh, with the new targets', async () => {
    const before = await builds()
    sim.scaleApp('web', 3)
    await h.targets.invalidate()
    const groups = JSON.parse(await (await h.app.request('http://promregator.test:8080/discovery')).text()) as Group[]
    expect(groups).toHaveLength(4)
    const gzip = await h.app.request('http://promregator.test:8080/discovery', { headers: { 'accept-encoding': 'gzip' } })
    expect(JSON.parse(gunzipSync(Buffer.from(await gzip.arrayBuffer())).toString())).toEqual(groups)
    expect(await builds()).toBe(before + 1)
  })
})
