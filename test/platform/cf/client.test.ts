/**
 * The Cloud Controller client against the simulator: multi-value filters, parallel pages, shared
 * identical lists, the bound on requests in flight, timeouts, the client-side rate limit, and the
 * pure helpers (query strings, URL-sized chunks, 429 waits).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCfClient, rateLimitWait, type CfClient, type CfClientOptions } from '../../../src/platform/cf/client.ts'
import { chunkByLength, queryString } from '../../../src/platform/cf/query.ts'
import { createRateLimiter } from '../../../src/net/rate-limit.ts'
import { appSchema, organizationSchema } from '../../../src/platform/cf/resources.ts'
import { simulatorClient } from '../../support/cf-client.ts'
import { bigLandscape, startSimulator, type Simulator } from '../../support/simulator/index.ts'

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator(bigLandscape({ apps: 120, spaces: 6, orgs: 3 }))
})
afterAll(async () => {
  await sim?.close()
})

function client(options: Parameters<typeof simulatorClient>[1] = {}): CfClient {
  return simulatorClient(sim, { backoffMs: 5, ...options })
}

describe('CfClient.list', () => {
  it('sends multi-value filters with literal commas, so the API sees several values', async () => {
    const orgs = await client().list('/v3/organizations', { names: ['org-0', 'org-2'] }, organizationSchema)
    expect(orgs.resources.map((o) => o.name).sort()).toEqual(['org-0', 'org-2'])
  })

  it('fetches the pages after the first in parallel and keeps their order', async () => {
    sim.clearLogs()
    sim.faults.maxPerPage = 25
    try {
      const c = client()
      const apps = await c.list('/v3/apps', { order_by: 'name' }, appSchema)
      expect(apps.pages).toBe(5)
      expect(apps.resources.map((a) => a.name)).toEqual(sim.apps().map((a) => a.name).sort())
      const pages = sim.requests().filter((r) => r.path === '/v3/apps').map((r) => /(?:^|&)page=(\d+)/.exec(r.query)?.[1] ?? '1')
      expect(pages.sort()).toEqual(['1', '2', '3', '4', '5'])
    } finally {
      sim.faults.maxPerPage = undefined
    }
  })

  it('never has more requests in flight than its concurrency', async () => {
    let inFlight = 0
    let most = 0
    const counting = (async (input: RequestInfo | URL, init?: RequestInit) => {
      inFlight++
      most = Math.max(most, inFlight)
      try {
        return await globalThis.fetch(input, init)
      } finally {
        inFlight--
      }
    }) as typeof fetch
    sim.faults.maxPerPage = 10
    sim.faults.latencyMs = 10
    try {
      const apps = await client({ fetch: counting, concurrency: 3, rateLimit: 0 }).list('/v3/apps', {}, appSchema)
      expect(apps.resources).toHaveLength(120)
      expect(most).toBe(3)
    } finally {
      sim.faults.reset()
    }
  })

  it('collects garbage after each large page and once its pages are turned into resources, never for small ones', async () => {
    sim.faults.maxPerPage = 25
    try {
      let collections = 0
      const collectGarbage = () => void collections++
      const apps = await client({ collectGarbage, largeResponseChars: 1 }).list('/v3/apps', {}, appSchema)
      expect(apps.pages).toBe(5)
      expect(apps.resources).toHaveLength(120)
      expect(collections).toBe(5 + 1)
      collections = 0
      await client({ collectGarbage }).list('/v3/apps', {}, appSchema)
      expect(collections).toBe(0)
    } finally {
      sim.faults.maxPerPage = undefined
    }
  })

  it('shares one run between identical calls in flight', async () => {
    const c = client()
    await c.list('/v3/organizations', {}, organizationSchema) // root and login out of the way
    sim.clearLogs()
    const [a, b] = await Promise.all([c.list('/v3/apps', {}, appSchema), c.list('/v3/apps', {}, appSchema)])
    expect(a).toBe(b)
    expect(sim.requests().filter((r) => r.path === '/v3/apps')).toHaveLength(1)
  })

  it('times out a slow request after the per-call timeout and says so', async () => {
    sim.faults.latencyMs = 400
    try {
      const c = client({ retries: 0, timeoutMs: 5000 })
      await c.list('/v3/organizations', { names: ['org-0'] }, organizationSchema)
      await expect(c.list('/v3/apps', {}, appSchema, { timeoutMs: 50 })).rejects.toThrow('/v3/apps: timed out after 50 ms')
    } finally {
      sim.faults.reset()
    }
  })

  it('sends no more requests per second than the rate limit allows', async () => {
    const waits: number[] = []
    const c = client({ rateLimit: 4, sleep: async (ms) => void waits.push(ms) })
    await c.list('/v3/organizations', {}, organizationSchema)
    await c.list('/v3/spaces', {}, organizationSchema)
    // root, orgs, spaces: the first goes at once, the next two wait for their 250 ms slots.
    expect(waits.length).toBe(2)
    expect(waits[1]!).toBeGreaterThan(waits[0]!)
  })
})

describe('rate limiter', () => {
  it('spaces requests 1000/rate ms apart and lets one through after idling', async () => {
    let now = 0
    const slept: number[] = []
    const limiter = createRateLimiter({ perSecond: 10, now: () => now, sleep: async (ms) => void slept.push(ms) })
    await Promise.all([limiter(), limiter(), limiter()])
    expect(slept).toEqual([100, 200])
    now = 10_000
    await limiter()
    expect(slept).toEqual([100, 200])
  })

  it('does nothing without a limit', async () => {
    const limiter = createRateLimiter({ perSecond: 0, sleep: () => Promise.reject(new Error('slept')) })
    await limiter()
  })
})

describe('query helpers', () => {
  it('keeps commas between values literal and encodes each value for the second decoding CC applies', () => {
    expect(queryString({ names: ['ACME, Inc.', 'c d', '50%'], label_selector: 'x in (1,2)' })).toBe(
      '?names=ACME%252C%2520Inc.,c%2520d,50%2525&label_selector=x%20in%20(1%2C2)',
    )
  })

  it('splits long GUID lists into chunks that fit the URL budget', () => {
    const guids = Array.from({ length: 1000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)
    const chunks = chunkByLength(guids)
    expect(chunks.flat()).toEqual(guids)
    for (const c of chunks) expect(c.join(',').length).toBeLessThanOrEqual(6000)
    expect(chunks.length).toBe(7)
  })

  it('reads Retry-After seconds or date, else X-RateLimit-Reset, else 1 s', () => {
    expect(rateLimitWait(new Headers({ 'retry-after': '3' }), 0)).toBe(3000)
    expect(rateLimitWait(new Headers({ 'retry-after': new Date(5000).toUTCString() }), 1000)).toBe(4000)
    expect(rateLimitWait(new Headers({ 'x-ratelimit-reset': '20' }), 15_000)).toBe(5000)
    expect(rateLimitWait(new Headers(), 0)).toBe(1000)
  })
})
