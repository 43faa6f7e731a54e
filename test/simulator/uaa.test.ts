/**
 * @module test/simulator/uaa
 * The simulated UAA token endpoint: grants, client authentication variants, OAuth2 errors,
 * grant counters, and the use of issued tokens at the Cloud Controller.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../support/simulator/index.ts'
import { testLandscape } from './fixtures.ts'
import { ccGet } from './helpers.ts'

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator(testLandscape())
})
afterAll(() => sim.close())
beforeEach(() => sim.clearLogs())

async function token(form: Record<string, string>, authorization?: string) {
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }
  if (authorization) headers.Authorization = authorization
  const res = await fetch(`${sim.uaaUrl}/oauth/token`, { method: 'POST', headers, body: new URLSearchParams(form) })
  return { status: res.status, body: (await res.json()) as any, headers: res.headers }
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`

describe('password grant', () => {
  it('issues a bearer token with refresh token for client cf (Basic Y2Y6)', async () => {
    const res = await token({ grant_type: 'password', username: 'admin', password: 'admin-secret' }, 'Basic Y2Y6')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ token_type: 'bearer', expires_in: 1200 })
    expect(res.body.access_token.split('.')).toHaveLength(3)
    expect(typeof res.body.refresh_token).toBe('string')
    expect(res.body.scope).toContain('cloud_controller.read')
    expect(typeof res.body.jti).toBe('string')
    const claims = JSON.parse(Buffer.from(res.body.access_token.split('.')[1], 'base64url').toString())
    expect(claims.exp - claims.iat).toBe(1200)
    expect((await ccGet(sim, '/v3/apps', res.body.access_token)).status).toBe(200)
    expect(sim.stats().tokenRequests).toMatchObject({ total: 1, password: 1 })
  })

  it('accepts client_id as a form parameter', async () => {
    const res = await token({ grant_type: 'password', username: 'admin', password: 'admin-secret', client_id: 'cf' })
    expect(res.status).toBe(200)
  })

  it('answers 401 unauthorized "Bad credentials" for a wrong password', async () => {
    const res = await token({ grant_type: 'password', username: 'admin', password: 'nope' }, 'Basic Y2Y6')
    expect(res.status).toBe(401)
    expect(res.body).toEqual({ error: 'unauthorized', error_description: 'Bad credentials' })
    expect(sim.stats().tokenRequests.password).toBe(1)
  })
})

describe('client_credentials grant', () => {
  it('issues a token without refresh token (Basic client auth)', async () => {
    const res = await token({ grant_type: 'client_credentials' }, basic('promregator', 'client-secret'))
    expect(res.status).toBe(200)
    expect(res.body).not.toHaveProperty('refresh_token')
    expect((await ccGet(sim, '/v3/organizations', res.body.access_token)).status).toBe(200)
  })

  it('accepts form client authentication', async () => {
    const res = await token({ grant_type: 'client_credentials', client_id: 'promregator', client_secret: 'client-secret' })
    expect(res.status).toBe(200)
    expect(sim.stats().tokenRequests.client_credentials).toBe(1)
  })

  it('answers 401 invalid_client for a wrong secret', async () => {
    const res = await token({ grant_type: 'client_credentials' }, basic('promregator', 'wrong'))
    expect(res.status).toBe(401)
    expect(res.body.error).toBe('invalid_client')
  })
})

describe('refresh_token grant', () => {
  it('exchanges a refresh token for a new access token', async () => {
    const first = await token({ grant_type: 'password', username: 'admin', password: 'admin-secret' }, 'Basic Y2Y6')
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, 'Basic Y2Y6')
    expect(refreshed.status).toBe(200)
    expect(refreshed.body.access_token).not.toBe(first.body.access_token)
    expect(sim.stats().tokenRequests).toMatchObject({ total: 2, password: 1, refresh_token: 1 })
  })

  it('answers 401 invalid_token for an unknown refresh token', async () => {
    const res = await token({ grant_type: 'refresh_token', refresh_token: 'bogus' }, 'Basic Y2Y6')
    expect(res.status).toBe(401)
    expect(res.body.error).toBe('invalid_token')
  })
})

describe('other errors', () => {
  it('answers 400 unsupported_grant_type', async () => {
    const res = await token({ grant_type: 'implicit' }, 'Basic Y2Y6')
    expect(res.status).toBe(400)
    expect(res.body.error).toBe('unsupported_grant_type')
  })

  it('answers 400 invalid_request without a grant type', async () => {
    expect((await token({}, 'Basic Y2Y6')).status).toBe(400)
  })

  it('logs token requests with their grant type', async () => {
    await token({ grant_type: 'password', username: 'admin', password: 'admin-secret' }, 'Basic Y2Y6')
    expect(sim.requests()).toEqual([expect.objectContaining({ server: 'uaa', method: 'POST', path: '/oauth/token', status: 200, grantType: 'password' })])
  })
})
