/**
 * Inbound authentication per endpoint group (discovery, endpoint, metrics, cache.invalidate):
 * with NONE everything answers; with BASIC a request without credentials or with wrong ones
 * gets 401 and the right ones 200. Groups are independent; health endpoints stay open; a
 * missing password is generated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { simConfig } from '../support/sim-config.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { assembleFrom, basic, type Harness } from './harness.ts'

let sim: Simulator
let guid: string

beforeAll(async () => {
  sim = await startSimulator(oneSpace('acme', 'dev', [{ name: 'web', instances: 1, routes: [{ host: 'web' }] }]))
  guid = sim.app('web').guid
})
afterAll(() => sim.close())

const TARGETS = `
  targets:
    - { orgName: acme, spaceName: dev, applicationName: web, protocol: http }`

function authConfig(auth: { discovery: string; endpoint: string; metrics: string; cache: string }, password: string | null = 's3cret-Pw'): string {
  return simConfig(
    sim,
    `  authentication:
    basic: { username: prom${password ? `, password: ${password}` : ''} }
  discovery: { auth: ${auth.discovery} }
  endpoint: { auth: ${auth.endpoint} }
  metrics: { auth: ${auth.metrics} }
  cache: { invalidate: { auth: ${auth.cache} } }${TARGETS}`,
  )
}

/** Every endpoint with its group. */
const endpoints = (): Array<{ group: 'discovery' | 'endpoint' | 'metrics' | 'cache'; path: string; ok: number }> => [
  { group: 'discovery', path: '/discovery', ok: 200 },
  { group: 'discovery', path: '/', ok: 200 },
  { group: 'endpoint', path: `/singleTargetMetrics/${guid}/0`, ok: 200 },
  { group: 'endpoint', path: '/metrics', ok: 200 },
  { group: 'metrics', path: '/promregatorMetrics', ok: 200 },
  { group: 'cache', path: '/cache/invalidate', ok: 204 },
]

describe('all groups NONE', () => {
  let h: Harness
  beforeAll(() => {
    h = assembleFrom(authConfig({ discovery: 'NONE', endpoint: 'none', metrics: 'NONE', cache: 'NONE' }))
  })
  afterAll(() => h.stop())

  it('answers every endpoint without credentials, and ignores any sent', async () => {
    for (const e of endpoints()) {
      expect((await h.app.request(e.path)).status, e.path).toBe(e.ok)
      expect((await h.app.request(e.path, { headers: { authorization: basic('x', 'y') } })).status, e.path).toBe(e.ok)
    }
    expect(h.auth.user).toBeUndefined()
  })
})

describe('all groups BASIC', () => {
  let h: Harness
  beforeAll(() => {
    h = assembleFrom(authConfig({ discovery: 'BASIC', endpoint: 'basic', metrics: 'Basic', cache: 'BASIC' }))
  })
  afterAll(() => h.stop())

  it('401 without credentials and with wrong ones, the endpoint answer with the right ones', async () => {
    for (const e of endpoints()) {
      const none = await h.app.request(e.path)
      expect(none.status, e.path).toBe(401)
      expect(none.headers.get('www-authenticate'), e.path).toMatch(/^Basic realm="Promregator"/)
      expect((await h.app.request(e.path, { headers: { authorization: basic('prom', 'wrong') } })).status, e.path).toBe(401)
      expect((await h.app.request(e.path, { headers: { authorization: basic('someone', 's3cret-Pw') } })).status, e.path).toBe(401)
      expect((await h.app.request(e.path, { headers: { authorization: 'Bearer s3cret-Pw' } })).status, e.path).toBe(401)
      expect((await h.app.request(e.path, { headers: { authorization: basic('prom', 's3cret-Pw') } })).status, e.path).toBe(e.ok)
    }
  })

  it('keeps the health endpoints open for platform health checks', async () => {
    expect((await h.app.request('/-/healthy')).status).toBe(200)
    expect((await h.app.request('/-/ready')).status).toBe(200) // discovery ran during the test above
  })
})

describe('groups are independent', () => {
  for (const only of ['discovery', 'endpoint', 'metrics', 'cache'] as const) {
    it(`only ${only} BASIC protects only its endpoints`, async () => {
      const h = assembleFrom(authConfig({ discovery: 'NONE', endpoint: 'NONE', metrics: 'NONE', cache: 'NONE', [only]: 'BASIC' }))
      try {
        for (const e of endpoints()) {
          const status = (await h.app.request(e.path)).status
          expect(status, `${e.path} with only ${only} protected`).toBe(e.group === only ? 401 : e.ok)
        }
      } finally {
        h.stop()
      }
    })
  }
})

describe('generated password', () => {
  it('is generated when BASIC is on and none is configured, and then is the one that works', async () => {
    const h = assembleFrom(authConfig({ discovery: 'NONE', endpoint: 'NONE', metrics: 'BASIC', cache: 'NONE' }, null), { generatePassword: () => 'generated-1234' })
    try {
      expect(h.auth.user).toEqual({ username: 'prom', password: 'generated-1234', generated: true })
      expect((await h.app.request('/promregatorMetrics', { headers: { authorization: basic('prom', 'generated-1234') } })).status).toBe(200)
      expect((await h.app.request('/promregatorMetrics', { headers: { authorization: basic('prom', 'other') } })).status).toBe(401)
      expect([...h.secrets.all()]).toContain('generated-1234')
    } finally {
      h.stop()
    }
  })

  it('is a random UUID by default and nothing is generated while every group is NONE', () => {
    const on = assembleFrom(authConfig({ discovery: 'BASIC', endpoint: 'NONE', metrics: 'NONE', cache: 'NONE' }, null))
    const off = assembleFrom(authConfig({ discovery: 'NONE', endpoint: 'NONE', metrics: 'NONE', cache: 'NONE' }, null))
    on.stop()
    off.stop()
    expect(on.auth.user?.password).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(off.auth.user).toBeUndefined()
  })
})

describe('configuration', () => {
  it('rejects an unknown auth mode with the key path', async () => {
    const { loadConfigText } = await import('../../src/config/load.ts')
    const loaded = loadConfigText(authConfig({ discovery: 'DIGEST', endpoint: 'NONE', metrics: 'NONE', cache: 'NONE' }))
    expect(loaded.ok).toBe(false)
    if (!loaded.ok) expect(loaded.problems.join('\n')).toMatch(/promregator\.discovery\.auth.*NONE.*BASIC/)
  })
})
