/**
 * The simulated Heroku account is as strict as the real Platform API where the product depends on
 * it: the version 3 Accept header and a bearer token, JSON error bodies, Range paging with 206 and
 * Next-Range, the request pool in RateLimit-Remaining and 429 when it is empty, no list of a
 * space's apps; and its private DNS stand-in reaches running dynos by name and port only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHerokuSimulator, type HerokuSimulator } from '../support/heroku/index.ts'
import { rawRequest } from './helpers.ts'

let sim: HerokuSimulator
beforeAll(async () => {
  sim = await startHerokuSimulator({ teams: [{ name: 'acme', spaces: [{ name: 'prod', apps: Array.from({ length: 5 }, (_, i) => ({ name: `app-${i}`, dynos: ['up' as const, 'crashed' as const] })) }] }] }, { pool: 20 })
})
afterAll(() => sim.close())

const api = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${sim.apiUrl}${path}`, { headers: { accept: 'application/vnd.heroku+json; version=3', authorization: `Bearer ${sim.token}`, ...headers } })

describe('simulated Platform API', () => {
  it('demands the version 3 Accept header and a valid token, answering JSON errors', async () => {
    const noVersion = await api('/apps', { accept: 'application/json' })
    expect([noVersion.status, ((await noVersion.json()) as { id: string }).id]).toEqual([400, 'bad_request'])
    const badToken = await api('/apps', { authorization: 'Bearer nope' })
    expect([badToken.status, await badToken.json()]).toEqual([401, { id: 'unauthorized', message: 'Invalid credentials provided.' }])
    const unknown = await api('/apps/no-such-app/dynos')
    expect([unknown.status, ((await unknown.json()) as { id: string }).id]).toEqual([404, 'not_found'])
    expect((await api(`/spaces/prod/apps`)).status).toBe(404)
  })

  it('pages lists with Range, answering 206 and Next-Range while more remain', async () => {
    const first = await api('/apps', { range: 'name ..; max=2' })
    expect(first.status).toBe(206)
    expect(((await first.json()) as Array<{ name: string }>).map((a) => a.name)).toEqual(['app-0', 'app-1'])
    expect(first.headers.get('next-range')).toBe('name ]app-1..; max=2')
    const last = await api('/apps', { range: 'name ]app-3..; max=2' })
    expect([last.status, ((await last.json()) as Array<{ name: string }>).map((a) => a.name)]).toEqual([200, ['app-4']])
    expect((await api('/apps', { range: 'colour ..' })).status).toBe(400)
  })

  it('spends the pool, says what is left, and answers 429 when it is empty; /account/rate-limits is free', async () => {
    sim.setPool(2)
    expect((await api('/apps')).headers.get('ratelimit-remaining')).toBe('1')
    expect((await api('/apps')).headers.get('ratelimit-remaining')).toBe('0')
    const limited = await api('/apps')
    expect([limited.status, ((await limited.json()) as { id: string }).id]).toEqual([429, 'rate_limit'])
    expect(await (await api('/account/rate-limits')).json()).toEqual({ remaining: 0 })
    sim.setPool(20)
  })

  it('lists only running dynos in a space topology, every dyno with its state in the dynos of an app', async () => {
    const topology = (await (await api('/spaces/prod/topology')).json()) as { apps: Array<{ formation: Array<{ dynos: Array<{ number: number; hostname: string }> }> }> }
    expect(topology.apps[0]!.formation[0]!.dynos.map((d) => d.number)).toEqual([1])
    expect(((await (await api('/apps/app-0/dynos')).json()) as Array<{ name: string; state: string }>).map((d) => `${d.name}:${d.state}`).sort()).toEqual(['web.1:up', 'web.2:crashed'])
  })
})

describe('simulated private DNS', () => {
  const port = () => Number(new URL(sim.proxyUrl).port)
  it('reaches a running dyno by its name and port only', async () => {
    const ok = await rawRequest(port(), 'http://1.web.app-0.app.localspace:8080/metrics')
    expect([ok.status, ok.body]).toEqual([200, expect.stringContaining('dyno="web.1"')])
    for (const url of ['http://2.web.app-0.app.localspace:8080/metrics', 'http://1.web.app-0.app.localspace:9999/metrics', 'http://1.web.nowhere.app.localspace:8080/metrics']) {
      await expect(rawRequest(port(), url)).rejects.toThrow()
    }
  })
})
