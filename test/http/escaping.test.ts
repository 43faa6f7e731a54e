/**
 * Names and label values with quotes, backslashes, newlines and HTML come out correctly escaped
 * in every output: the exposition formats (/metrics, /singleTargetMetrics), JSON (/discovery,
 * the status view), HTML (the status page) and log lines (one line per event).
 */
import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseExposition, type Format } from '../../src/exposition/index.ts'
import { findProgram, missing } from '../support/requirements.ts'
import { simConfig } from '../support/sim-config.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { assembleFrom, type Harness } from './harness.ts'

const EVIL = `we"ird\\app\n<b>bold</b>&amp;</script>`
const EVIL_LABEL = 'a"b\\c\nd</script><i>'
const BODY = `# HELP weird_metric Label value with every escape.\n# TYPE weird_metric gauge\nweird_metric{v="a\\"b\\\\c\\nd</script><i>"} 1\n`

let sim: Simulator
let h: Harness
let guid: string

beforeAll(async () => {
  sim = await startSimulator(oneSpace('acme', 'dev', [{ name: EVIL, instances: 2, instanceStates: ['RUNNING', 'CRASHED'], routes: [{ host: 'weird' }], format: 'text', body: () => BODY }]))
  guid = sim.apps()[0]!.guid
  h = assembleFrom(simConfig(sim, "  targets:\n    - { orgName: acme, spaceName: dev, applicationRegex: 'we[\\s\\S]*', protocol: http }"))
  await h.targets.current()
})
afterAll(async () => {
  h.stop()
  await sim.close()
})

describe('exposition', () => {
  for (const [format, accept] of [
    ['text', 'text/plain;version=0.0.4'],
    ['openmetrics', 'application/openmetrics-text;version=1.0.0'],
  ] as Array<[Format, string]>) {
    it(`/metrics in ${format} keeps the app name and the target's label value exact`, async (ctx) => {
      const body = await (await h.app.request('/metrics', { headers: { accept } })).text()
      const parsed = parseExposition(body, format)
      expect(parsed.ok, body).toBe(true)
      if (!parsed.ok) return
      const weird = parsed.families.find((f) => f.name === 'weird_metric')!
      expect(weird.samples).toHaveLength(1)
      expect(weird.samples[0]!.labels).toMatchObject({ v: EVIL_LABEL, app_name: EVIL })
      const up = parsed.families.find((f) => f.name === 'promregator_up')!
      expect(up.samples.map((s) => [s.labels.app_name, s.value])).toEqual([
        [EVIL, 1],
        [EVIL, 0],
      ])
      // Nothing user-controlled breaks out of its quotes onto a line of its own.
      expect(body).not.toMatch(/^<b>|^d<\/script>/m)
      const promtool = findProgram('promtool')
      const reason = missing([{ name: 'promtool', present: promtool !== undefined, hint: 'apt-get install prometheus' }])
      if (reason) return ctx.skip(reason)
      const run = spawnSync(promtool!, ['check', 'metrics'], { input: body, encoding: 'utf8' })
      expect([0, 3], run.stdout + run.stderr).toContain(run.status)
    })
  }

  it('/singleTargetMetrics passes the label value through intact', async () => {
    const body = await (await h.app.request(`/singleTargetMetrics/${guid}/0`, { headers: { accept: 'text/plain;version=0.0.4' } })).text()
    const parsed = parseExposition(body, 'text')
    expect(parsed.ok && parsed.families.find((f) => f.name === 'weird_metric')!.samples[0]!.labels.v).toBe(EVIL_LABEL)
  })
})

describe('JSON', () => {
  it('/discovery carries the exact app name', async () => {
    const text = await (await h.app.request('/discovery')).text()
    const groups = JSON.parse(text) as Array<{ labels: Record<string, string> }>
    expect(groups.filter((g) => g.labels.__meta_promregator_target_applicationName === EVIL)).toHaveLength(2)
    expect(text).not.toContain('\n')
  })

  it('the status view as JSON carries the exact app name and error text', async () => {
    await h.app.request(`/singleTargetMetrics/${guid}/1`)
    const res = await h.app.request('/', { headers: { accept: 'application/json' } })
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const view = (await res.json()) as { rows: Array<{ app: string; outcome: string }> }
    // Problems first.
    expect(view.rows.map((r) => [r.app, r.outcome])).toEqual([
      [EVIL, 'down'],
      [EVIL, 'up'],
    ])
  })
})

describe('HTML', () => {
  it('the status page shows the name as text, never as markup', async () => {
    const res = await h.app.request('/')
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'nonce-[^']+'/)
    const html = await res.text()
    expect(html).not.toContain('<b>bold</b>')
    expect(html).not.toContain('</script></td>')
    expect(html.match(/<\/script>/g)).toHaveLength(1)
    expect(html).toContain('we&quot;ird\\app\n&lt;b&gt;bold&lt;/b&gt;&amp;amp;&lt;/script&gt;')
  })
})

describe('logs', () => {
  it('write one line per event even when a name holds a newline', async () => {
    await h.app.request(`/singleTargetMetrics/${guid}/1`)
    const failures = h.lines.filter((l) => l.includes('msg="scrape failed"'))
    expect(failures.length).toBeGreaterThan(0)
    for (const line of h.lines) expect(line).not.toContain('\n')
    expect(failures[0]).toContain(`app=${JSON.stringify(EVIL)}`)
  })
})
