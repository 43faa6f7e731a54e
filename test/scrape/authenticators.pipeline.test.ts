/**
 * Each target authenticator through the assembled pipeline, against the simulator plus the
 * simulated XSUAA token service (plain and mTLS): the apps accept only tokens the service
 * issued, so every assertion is about which credential reached which instance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Assembled } from '../../src/assemble.ts'
import { generatePki, pkiUnavailable, type TestPki } from '../support/certificates.ts'
import { proxyAwareFetch } from '../support/proxy-fetch.ts'
import { simConfig } from '../support/sim-config.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { startTokenService, type TokenService } from '../support/simulator/token-service.ts'
import { createTlsFetch } from '../support/tls-fetch.ts'
import { assembleFromYaml, collectingLogger, get, sampleValue, upByInstance, type LogLine } from './pipeline-support.ts'

const LIFETIME_S = 600

let pki: TestPki | undefined
let tokens: TokenService
let sim: Simulator
let pipeline: Assembled
let logs: LogLine[]
let time = Date.now()
const now = () => time

/** The OAuth2 apps and their clients; the mTLS one only where a PKI could be made. */
const oauthApps = () => (pki ? [['xsuaa-app', 'sb-basic!t1'], ['mtls-app', 'sb-cert!t1']] : [['xsuaa-app', 'sb-basic!t1']]) as Array<[string, string]>
const tokenRequests = (clientId: string) => tokens.requests().filter((r) => r.clientId === clientId && r.status === 200)
const seenAuthorization = (app: string, index: number) => sim.lastInstanceRequest(app, index)?.headers.authorization

async function scrapeAll() {
  const response = await get(pipeline, '/metrics')
  expect(response.status).toBe(200)
  return upByInstance(response.body)
}

beforeAll(async () => {
  pki = pkiUnavailable() ? undefined : generatePki()
  tokens = await startTokenService({
    clients: [
      { id: 'sb-basic!t1', secret: 'basic-client-secret', scopes: ['metrics.read'] },
      { id: 'sb-cert!t1', certificateCN: 'promregator-client' },
    ],
    tokenLifetimeSeconds: LIFETIME_S,
    tls: pki ? { ...pki.server, ca: pki.ca } : undefined,
  })
  const accepts = (authorization: string | undefined) => tokens.accepts(authorization)
  sim = await startSimulator(
    oneSpace('org', 'dev', [
      { name: 'open', instances: 1, routes: [{ host: 'open' }] },
      { name: 'basic-app', instances: 1, routes: [{ host: 'basic-app' }], basicAuth: { username: 'scraper', password: 'basic-target-pw' } },
      { name: 'xsuaa-app', instances: 2, routes: [{ host: 'xsuaa-app' }], authorize: accepts },
      { name: 'mtls-app', instances: 1, routes: [{ host: 'mtls-app' }], authorize: accepts },
      { name: 'misconfigured', instances: 1, routes: [{ host: 'misconfigured' }], authorize: accepts },
    ]),
  )
  const logger = collectingLogger()
  logs = logger.lines
  pipeline = assembleFromYaml(
    simConfig(
      sim,
      `  authenticator: { type: none }
  targetAuthenticators:
    - id: basic
      type: basic
      basic: { username: scraper, password: basic-target-pw }
    - id: xsuaa
      type: OAuth2XSUAABasic
      oauth2xsuaaBasic: { tokenServiceURL: "${tokens.url}", client_id: "sb-basic!t1", client_secret: basic-client-secret, scopes: metrics.read }
    - id: wrong
      type: oauth2xsuaabasic
      oauth2xsuaaBasic: { tokenServiceURL: "${tokens.url}", client_id: "sb-basic!t1", client_secret: not-the-secret }
${
  pki
    ? `    - id: mtls
      type: OAuth2XSUAACertificate
      oauth2xsuaaCertificate:
        tokenServiceCertURL: "${tokens.certUrl}"
        client_id: "sb-cert!t1"
        client_certificates: ${JSON.stringify(pki.client.cert)}
        client_key: ${JSON.stringify(pki.client.key)}`
    : ''
}
  targets:
    - { orgName: org, spaceName: dev, applicationName: open, protocol: http }
    - { orgName: org, spaceName: dev, applicationName: basic-app, protocol: http, authenticatorId: basic }
    - { orgName: org, spaceName: dev, applicationName: xsuaa-app, protocol: http, authenticatorId: xsuaa }
    - { orgName: org, spaceName: dev, applicationName: misconfigured, protocol: http, authenticatorId: wrong }
${pki ? '    - { orgName: org, spaceName: dev, applicationName: mtls-app, protocol: http, authenticatorId: mtls }' : ''}
`,
    ),
    { fetch: createTlsFetch({ base: proxyAwareFetch, trustedCa: pki?.ca }), logger, now },
  )
})
afterAll(async () => {
  await sim?.close()
  await tokens?.close()
})

describe('authenticators in one /metrics', () => {
  it('sends nothing for none, Basic for basic, and a token from the token service for OAuth2XSUAABasic', async () => {
    const up = await scrapeAll()
    expect(up).toMatchObject({ 'open/0': 1, 'basic-app/0': 1, 'xsuaa-app/0': 1, 'xsuaa-app/1': 1 })
    expect(seenAuthorization('open', 0)).toBeUndefined()
    expect(seenAuthorization('basic-app', 0)).toBe(`Basic ${btoa('scraper:basic-target-pw')}`)
    const issued = tokenRequests('sb-basic!t1')
    expect(issued).toHaveLength(1) // two instances, one token request
    expect(issued[0]).toMatchObject({ grantType: 'client_credentials', clientAuth: 'basic', scope: 'metrics.read' })
    expect(seenAuthorization('xsuaa-app', 0)).toBe(`Bearer ${issued[0]!.token}`)
    expect(seenAuthorization('xsuaa-app', 1)).toBe(`Bearer ${issued[0]!.token}`)
  })

  it('reuses the token across scrapes', async () => {
    const up = await scrapeAll()
    for (const [app, client] of oauthApps()) {
      expect(up[`${app}/0`]).toBe(1)
      expect(tokenRequests(client)).toHaveLength(1)
    }
  })

  it('renews the token shortly before it expires', async () => {
    time += (LIFETIME_S - 31) * 1000
    await scrapeAll()
    expect(tokenRequests('sb-basic!t1')).toHaveLength(1)
    time += 2000
    const up = await scrapeAll()
    for (const [app, client] of oauthApps()) {
      const issued = tokenRequests(client)
      expect(issued).toHaveLength(2)
      expect(up[`${app}/0`]).toBe(1)
      expect(seenAuthorization(app, 0)).toBe(`Bearer ${issued[1]!.token}`)
    }
  })

  it('gets one fresh token and retries once when the app answers 401', async () => {
    time += 10_000
    tokens.revokeAll() // the app rejects every token issued so far
    const hitsBefore = sim.routerRequests().filter((r) => r.host.startsWith('xsuaa-app')).length
    const up = await scrapeAll()
    const issued = tokenRequests('sb-basic!t1')
    expect(issued).toHaveLength(3) // both instances saw a 401; they shared one renewal
    expect(up).toMatchObject({ 'xsuaa-app/0': 1, 'xsuaa-app/1': 1 })
    expect(seenAuthorization('xsuaa-app', 1)).toBe(`Bearer ${issued[2]!.token}`)
    const attempts = sim.routerRequests().filter((r) => r.host.startsWith('xsuaa-app')).slice(hitsBefore)
    expect(attempts.map((a) => a.status).sort()).toEqual([200, 200, 401, 401])
    if (pki) {
      expect(tokenRequests('sb-cert!t1')).toHaveLength(3)
      expect(up['mtls-app/0']).toBe(1)
    }
  })

  it('turns wrong client credentials into promregator_up 0 with reason auth, not a crash', async () => {
    const response = await get(pipeline, '/metrics')
    expect(response.status).toBe(200)
    const up = upByInstance(response.body)
    expect(up['misconfigured/0']).toBe(0)
    expect(up['open/0']).toBe(1)
    const own = (await get(pipeline, '/promregatorMetrics')).body
    expect(sampleValue(own, 'promregator_scrape_errors_total{reason="auth"}')).toBeGreaterThanOrEqual(1)
    const line = logs.find((l) => l.msg === 'scrape failed' && l.fields.app === 'misconfigured')
    expect(line).toMatchObject({ level: 'error', fields: { reason: 'auth' } })
    expect(String(line!.fields.error)).toMatch(/refused the client_credentials grant for client sb-basic!t1 \(HTTP 401\): unauthorized: Bad credentials/)
    expect(sim.routerRequests().some((r) => r.host.startsWith('misconfigured'))).toBe(false)
  })

  it('got every OAuth2XSUAACertificate token over mTLS, authenticated by the client certificate', async ({ skip }) => {
    if (!pki) return skip()
    const issued = tokenRequests('sb-cert!t1')
    expect(issued.length).toBeGreaterThanOrEqual(3)
    for (const request of issued) expect(request).toMatchObject({ endpoint: 'mtls', clientAuth: 'certificate', grantType: 'client_credentials' })
    expect(seenAuthorization('mtls-app', 0)).toBe(`Bearer ${issued.at(-1)!.token}`)
  })
})
