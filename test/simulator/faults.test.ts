/**
 * @module test/simulator/faults
 * Fault injection over real sockets: queued 5xx and 429 answers, latency, unreachable servers,
 * token lifetime and expiry, page-size cap, router failures.
 */
import { fetch as undiciFetch, ProxyAgent } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../support/simulator/index.ts'
import { GUIDS, testLandscape } from './fixtures.ts'
import { ccGet, passwordToken, portOf, rawRequest, walkPages } from './helpers.ts'

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator(testLandscape())
})
afterAll(() => sim.close())
afterEach(() => {
  sim.faults.reset()
  sim.clearLogs()
})

describe('queued failures', () => {
  it('answers the next N matching requests with 503 CF-ServiceUnavailable', async () => {
    sim.faults.failNext(2, { pathPrefix: '/v3/apps' })
    expect((await ccGet(sim, '/v3/organizations')).status).toBe(200)
    const failed = await ccGet(sim, '/v3/apps')
    expect(failed.status).toBe(503)
    expect(failed.body.errors[0]).toMatchObject({ code: 10015, title: 'CF-ServiceUnavailable' })
    expect((await ccGet(sim, '/v3/apps')).status).toBe(503)
    expect((await ccGet(sim, '/v3/apps')).status).toBe(200)
    expect(sim.requests().map((r) => r.status)).toEqual([200, 503, 503, 200])
    expect(sim.stats().faultsInjected).toBe(2)
  })

  it('answers 502 when asked', async () => {
    sim.faults.failNext(1, { status: 502 })
    expect((await ccGet(sim, '/v3/apps')).status).toBe(502)
  })

  it('answers 429 CF-RateLimitExceeded with Retry-After and X-RateLimit-Reset', async () => {
    sim.faults.rateLimitNext(1, { retryAfterSeconds: 7 })
    const res = await fetch(`${sim.apiUrl}/v3/apps`, { headers: { Authorization: `bearer ${sim.issueToken()}` } })
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('7')
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    const reset = Number(res.headers.get('x-ratelimit-reset'))
    expect(Math.abs(reset - (Math.floor(Date.now() / 1000) + 7))).toBeLessThanOrEqual(1)
    expect(JSON.parse(await res.text())).toEqual({ errors: [{ detail: 'Rate Limit Exceeded', title: 'CF-RateLimitExceeded', code: 10013 }] })
    expect((await ccGet(sim, '/v3/apps')).status).toBe(200)
  })

  it('fails UAA requests when targeted', async () => {
    sim.faults.failNext(1, { server: 'uaa' })
    await expect(passwordToken(sim)).rejects.toThrow(/503/)
    await expect(passwordToken(sim)).resolves.toBeTypeOf('string')
  })

  it('fails router requests with 502 endpoint_failure', async () => {
    sim.faults.failNext(1, { server: 'router' })
    const res = await rawRequest(portOf(sim.proxyUrl), 'http://shop.apps.sim.localhost/metrics')
    expect(res.status).toBe(502)
    expect(res.headers['x-cf-routererror']).toBe('endpoint_failure')
    expect(sim.stats().instanceHits).toBe(0)
  })
})

describe('latency and unreachable', () => {
  it('adds latency to every CC request', async () => {
    sim.faults.latencyMs = 150
    const started = Date.now()
    await ccGet(sim, '/v3/info')
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
  })

  it('destroys CC and UAA sockets while unreachable', async () => {
    sim.faults.setUnreachable(true)
    await expect(fetch(`${sim.apiUrl}/v3/info`)).rejects.toThrow()
    await expect(passwordToken(sim)).rejects.toThrow()
    expect(sim.requests().map((r) => r.fault)).toEqual(['unreachable', 'unreachable'])
    sim.faults.setUnreachable(false)
    expect((await fetch(`${sim.apiUrl}/v3/info`)).status).toBe(200)
  })

  it('makes the router unreachable for absolute-form and CONNECT clients', async () => {
    sim.faults.setUnreachable({ router: true })
    await expect(rawRequest(portOf(sim.proxyUrl), 'http://shop.apps.sim.localhost/metrics')).rejects.toThrow()
    const agent = new ProxyAgent(sim.proxyUrl)
    await expect(undiciFetch('http://shop.apps.sim.localhost/metrics', { dispatcher: agent })).rejects.toThrow()
    await agent.close()
    expect(sim.stats().instanceHits).toBe(0)
  })
})

describe('tokens', () => {
  it('rejects an expired token with CF-InvalidAuthToken', async () => {
    const token = await passwordToken(sim)
    expect((await ccGet(sim, '/v3/apps', token)).status).toBe(200)
    sim.faults.expireAllTokens()
    const res = await ccGet(sim, '/v3/apps', token)
    expect(res.status).toBe(401)
    expect(res.body.errors[0]).toMatchObject({ code: 1000, title: 'CF-InvalidAuthToken' })
    expect((await ccGet(sim, '/v3/apps', await passwordToken(sim))).status).toBe(200)
  })

  it('lets tokens expire by lifetime', async () => {
    const short = await startSimulator(testLandscape(), { tokenLifetimeSeconds: 1 })
    try {
      const token = await passwordToken(short)
      expect((await ccGet(short, '/v3/apps', token)).status).toBe(200)
      await new Promise((resolve) => setTimeout(resolve, 1100))
      expect((await ccGet(short, '/v3/apps', token)).status).toBe(401)
    } finally {
      await short.close()
    }
  })

  it('revokes refresh tokens too', async () => {
    const res = await fetch(`${sim.uaaUrl}/oauth/token`, {
      method: 'POST',
      headers: { Authorization: 'Basic Y2Y6', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: 'admin', password: 'admin-secret' }),
    })
    const { refresh_token: refreshToken } = (await res.json()) as { refresh_token: string }
    sim.faults.revokeAllTokens()
    const refreshed = await fetch(`${sim.uaaUrl}/oauth/token`, {
      method: 'POST',
      headers: { Authorization: 'Basic Y2Y6', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    })
    expect(refreshed.status).toBe(401)
  })
})

describe('page-size cap', () => {
  it('serves at most maxPerPage resources and links carry the cap', async () => {
    sim.faults.maxPerPage = 2
    const first = await ccGet(sim, '/v3/apps?per_page=5000')
    expect(first.body.resources).toHaveLength(2)
    expect(first.body.pagination.next.href).toContain('per_page=2')
    const walked = await walkPages(sim, '/v3/apps?per_page=5000')
    expect(walked.pages).toBe(4)
    expect(walked.resources.map((a) => a.guid)).toContain(GUIDS.bearer)
  })
})
