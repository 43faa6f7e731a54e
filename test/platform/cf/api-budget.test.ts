/**
 * Nobody can spend the Cloud Controller's budget through the product: a thousand calls of
 * `/cache/invalidate` in a few seconds cost no more than two refreshes (the default minimum
 * interval, 5 s, lets one through at once and one after), and the default client-side rate limit
 * (10 requests per second, a second's worth saved up while idle) holds under a burst of every
 * kind of refresh cause at once; `rateLimit: 0` switches it off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Assembled } from '../../../src/assemble.ts'
import { bigLandscape, startSimulator, type Simulator } from '../../support/simulator/index.ts'
import { build, cfBlock, discovery, eventually, get, instancesOf, recordingLogger } from './helpers.ts'

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator(bigLandscape({ apps: 40, spaces: 4, orgs: 2 }), { logLimit: 100_000 })
})
afterAll(async () => {
  await sim?.close()
})

const ccRequests = () => sim.requests().filter((r) => r.server === 'cc')
const TARGETS = '  targets: [{ orgRegex: "org-.*", applicationRegex: "app-.*", protocol: http }]\n'

describe('/cache/invalidate', () => {
  it('costs at most two refreshes however often it is called, and discovery is current afterwards', async () => {
    const p = build(`${cfBlock(sim, 'request: { backoff: 20, rateLimit: 0 }')}promregator:\n${TARGETS}`, recordingLogger())
    expect(instancesOf(await discovery(p))).toHaveLength(40)
    // What one refresh that forgets everything costs.
    sim.clearLogs()
    await p.targets.invalidate()
    const perRefresh = ccRequests().length
    expect(perRefresh).toBeGreaterThanOrEqual(5)

    sim.clearLogs()
    const started = Date.now()
    for (let batch = 0; batch < 10; batch++) {
      if (batch === 5) sim.scaleApp('app-7', 3) // a change in the middle of the storm
      const answers = await Promise.all(Array.from({ length: 100 }, () => get(p, '/cache/invalidate')))
      expect(answers.every((a) => a.status === 204)).toBe(true)
      await new Promise((r) => setTimeout(r, 200))
    }
    expect(Date.now() - started).toBeLessThan(5000)
    // One refresh went at once; the other 999 requests wait for the one that follows 5 s later.
    await eventually(async () => p.invalidation.counts().refreshes === 2 && !p.targets.status().refreshing, 'the second refresh', 15_000)
    expect(p.invalidation.counts()).toEqual({ requested: 1000, refreshes: 2 })
    const bound = 2 * perRefresh
    expect(ccRequests().length).toBeLessThanOrEqual(bound)
    expect(instancesOf(await discovery(p)).filter((i) => i.startsWith('app-7/'))).toEqual(['app-7/0', 'app-7/1', 'app-7/2'])
    const own = (await get(p, '/promregatorMetrics')).body
    expect(own).toMatch(/^promregator_cache_invalidations_total 1000$/m)
    expect(own).toMatch(/^promregator_cache_invalidation_refreshes_total 2$/m)
    expect((await get(p, '/', { accept: 'application/json' })).body).toContain('"invalidations":{"requested":1000,"refreshes":2}')
    sim.scaleApp('app-7', 1)
    p.stop()
  }, 30_000)
})

/** The most requests any stretch of time held beyond what `perSecond` with a burst of `burst` allows. */
function excess(times: number[], perSecond: number, burst: number): number {
  let worst = -Infinity
  for (let i = 0; i < times.length; i++) {
    for (let j = i; j < times.length; j++) worst = Math.max(worst, j - i + 1 - (burst + (perSecond * (times[j]! - times[i]!)) / 1000))
  }
  return worst
}

/** Every refresh cause at once: the refresh loop's, invalidations of the store, `/cache/invalidate`, first requests. */
async function burstOfCauses(p: Assembled): Promise<number[]> {
  await p.targets.current()
  await new Promise((r) => setTimeout(r, 1200)) // idle: a second's worth of requests saved up
  sim.clearLogs()
  const stop = p.startDiscovery()
  await Promise.all([
    ...Array.from({ length: 10 }, (_, i) => p.targets.invalidate(i % 2 ? { route: 'true' } : undefined)),
    ...Array.from({ length: 10 }, () => p.targets.refresh()),
    ...Array.from({ length: 10 }, () => get(p, '/cache/invalidate')),
  ])
  await eventually(async () => !p.targets.status().refreshing, 'the refreshes to end', 20_000)
  stop()
  p.stop()
  return ccRequests().map((r) => r.at).sort((a, b) => a - b)
}

describe('the client-side rate limit towards the Cloud Controller', () => {
  beforeAll(() => {
    sim.faults.maxPerPage = 4 // many pages: every refresh is dozens of requests
  })
  afterAll(() => {
    sim.faults.maxPerPage = undefined
  })

  it('holds by default under a burst of refresh causes', async () => {
    const times = await burstOfCauses(build(`${cfBlock(sim)}promregator:\n${TARGETS}`, recordingLogger()))
    expect(times.length).toBeGreaterThan(30)
    // 10 per second and 10 saved up, plus one for a request in flight at the edge of a window;
    // less than one more request in any stretch (timestamps are whole milliseconds).
    expect(excess(times, 10, 10 + 1)).toBeLessThan(1)
  }, 30_000)

  it('is off with rateLimit: 0', async () => {
    const times = await burstOfCauses(build(`${cfBlock(sim, 'request: { backoff: 20, rateLimit: 0 }')}promregator:\n${TARGETS}`, recordingLogger()))
    expect(excess(times, 10, 10 + 1)).toBeGreaterThan(5)
  }, 30_000)
})
