/**
 * `promregator.scraping.labelEnrichment` on `/singleTargetMetrics`: off (default), the instance's
 * body passes through byte for byte with our two metrics appended in its format (one `# EOF` for
 * OpenMetrics); on, every sample gets the instance labels like `/metrics` (a colliding target label
 * kept as `exported_<name>`), and a body that does not parse makes the instance down. Also checks
 * that `/metrics` (the fused merge) labels, renames and counts conflicts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseExposition, type MetricFamily } from '../../src/exposition/index.ts'
import { simConfig } from '../support/sim-config.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { assembleFrom, type Harness } from './harness.ts'

const OPENMETRICS = 'application/openmetrics-text;version=1.0.0'
const TEXT = 'text/plain;version=0.0.4'

const TEXT_BODY = `# HELP jobs_total Jobs done.
# TYPE jobs_total counter
jobs_total{app_name="spoofed",queue="a"} 3
jobs_total{queue="b"}   4
`
const OM_BODY = `# TYPE temp_celsius gauge
# UNIT temp_celsius celsius
temp_celsius{room="r1"} 21.5
# EOF
`
const BROKEN_BODY = 'jobs_total{queue="a" 3\n'

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator(
    oneSpace('acme', 'dev', [
      { name: 'plain', instances: 1, routes: [{ host: 'plain' }], format: 'text', body: () => TEXT_BODY },
      { name: 'om', instances: 1, routes: [{ host: 'om' }], format: 'openmetrics', body: () => OM_BODY },
      { name: 'broken', instances: 1, routes: [{ host: 'broken' }], format: 'text', body: () => BROKEN_BODY },
    ]),
  )
})
afterAll(() => sim.close())

const TARGETS = `  targets:
    - { orgName: acme, spaceName: dev, applicationRegex: ".*", protocol: http }`

function harness(enrichment?: boolean): Harness {
  const scraping = `    maxProcessingTime: 3000${enrichment === undefined ? '' : `\n    labelEnrichment: ${enrichment}`}`
  return assembleFrom(simConfig(sim, TARGETS, { scraping }))
}

async function get(h: Harness, path: string, accept: string): Promise<{ status: number; type: string; body: string }> {
  const res = await h.app.request(path, { headers: { accept } })
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() }
}

function families(body: string, format: 'text' | 'openmetrics'): Map<string, MetricFamily> {
  const parsed = parseExposition(body, format)
  if (!parsed.ok) throw new Error(`${JSON.stringify(parsed.error)}\n${body}`)
  return new Map(parsed.families.map((f) => [f.name, f]))
}

describe('labelEnrichment off (default)', () => {
  let h: Harness
  beforeAll(() => {
    h = harness()
  })
  afterAll(() => h.stop())

  it('passes a text body through unparsed with our two metrics appended', async () => {
    const r = await get(h, `/singleTargetMetrics/${sim.app('plain').guid}/0`, TEXT)
    expect(r.status).toBe(200)
    expect(r.type).toContain('text/plain')
    // Byte for byte, blanks and the spoofed label included: nothing was parsed or rewritten.
    expect(r.body.startsWith(TEXT_BODY)).toBe(true)
    const fams = families(r.body, 'text')
    expect(fams.get('promregator_up')?.samples).toEqual([{ name: 'promregator_up', labels: {}, value: 1 }])
    expect(fams.get('promregator_scrape_duration_seconds')?.samples).toHaveLength(1)
  })

  it('keeps one # EOF at the very end for OpenMetrics', async () => {
    const r = await get(h, `/singleTargetMetrics/${sim.app('om').guid}/0`, OPENMETRICS)
    expect(r.type).toContain('application/openmetrics-text')
    expect(r.body.startsWith(OM_BODY.replace('# EOF\n', ''))).toBe(true)
    expect(r.body.match(/^# EOF$/gm)).toHaveLength(1)
    expect(r.body.endsWith('# EOF\n')).toBe(true)
    expect(families(r.body, 'openmetrics').get('promregator_up')?.samples[0]?.value).toBe(1)
  })

  it('does not parse the body, so a malformed one still counts as up', async () => {
    const r = await get(h, `/singleTargetMetrics/${sim.app('broken').guid}/0`, TEXT)
    expect(r.body.startsWith(BROKEN_BODY)).toBe(true)
    expect(r.body).toMatch(/^promregator_up 1$/m)
  })
})

describe('labelEnrichment: true', () => {
  let h: Harness
  beforeAll(() => {
    h = harness(true)
  })
  afterAll(() => h.stop())

  const labelsOf = (app: string) => ({
    org_name: 'acme', space_name: 'dev', app_name: app, cf_instance_id: `${sim.app(app).guid}:0`, cf_instance_number: '0',
  })

  it('adds the instance labels to every sample, ours included, and renames a colliding target label', async () => {
    const r = await get(h, `/singleTargetMetrics/${sim.app('plain').guid}/0`, TEXT)
    expect(r.status).toBe(200)
    const fams = families(r.body, 'text')
    expect(fams.get('jobs_total')?.samples.map((s) => s.labels)).toEqual([
      { queue: 'a', exported_app_name: 'spoofed', ...labelsOf('plain') },
      { queue: 'b', ...labelsOf('plain') },
    ])
    expect(fams.get('jobs_total')?.help).toBe('Jobs done.')
    expect(fams.get('promregator_up')?.samples).toEqual([{ name: 'promregator_up', labels: labelsOf('plain'), value: 1 }])
    expect(fams.get('promregator_scrape_duration_seconds')?.samples[0]?.labels).toEqual(labelsOf('plain'))
  })

  it('answers in the format the client asks for, with one # EOF', async () => {
    const om = await get(h, `/singleTargetMetrics/${sim.app('om').guid}/0`, OPENMETRICS)
    expect(om.type).toContain('application/openmetrics-text')
    expect(om.body.match(/^# EOF$/gm)).toHaveLength(1)
    const omFams = families(om.body, 'openmetrics')
    expect(omFams.get('temp_celsius')).toMatchObject({ unit: 'celsius', samples: [{ labels: { room: 'r1', ...labelsOf('om') }, value: 21.5 }] })
    const text = await get(h, `/singleTargetMetrics/${sim.app('om').guid}/0`, TEXT)
    expect(text.type).toContain('text/plain')
    expect(families(text.body, 'text').get('temp_celsius')?.samples[0]?.labels).toEqual({ room: 'r1', ...labelsOf('om') })
  })

  it('reports an instance whose body does not parse as down', async () => {
    const r = await get(h, `/singleTargetMetrics/${sim.app('broken').guid}/0`, TEXT)
    const fams = families(r.body, 'text')
    expect(fams.get('promregator_up')?.samples).toEqual([{ name: 'promregator_up', labels: labelsOf('broken'), value: 0 }])
    expect(fams.has('jobs_total')).toBe(false)
  })
})

describe('/metrics', () => {
  let h: Harness
  beforeAll(() => {
    h = harness()
  })
  afterAll(() => h.stop())

  it('merges text and OpenMetrics instances on the fused path with labels, exported_ and promregator_up', async () => {
    for (const [accept, format] of [[TEXT, 'text'], [OPENMETRICS, 'openmetrics']] as const) {
      const r = await get(h, '/metrics', accept)
      const fams = families(r.body, format)
      const jobs = fams.get(format === 'text' ? 'jobs_total' : 'jobs') as MetricFamily
      expect(jobs.samples.map((s) => [s.labels.app_name, s.labels.exported_app_name, s.value])).toEqual([['plain', 'spoofed', 3], ['plain', undefined, 4]])
      expect(fams.get('temp_celsius')?.samples[0]?.labels.app_name).toBe('om')
      const up = fams.get('promregator_up')?.samples.map((s) => [s.labels.app_name, s.value]).sort()
      expect(up).toEqual([['broken', 0], ['om', 1], ['plain', 1]])
    }
  })
})
