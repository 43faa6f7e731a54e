/**
 * The OAuth2 client-credentials authenticator against the simulated XSUAA token service: token
 * reuse, renewal before expiry on a controlled clock, one request in flight, one renewal after
 * a 401, clear errors for wrong credentials, and mTLS with a client certificate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAuthenticator } from '../../../src/scrape/auth/index.ts'
import { renewalDelayMs, tokenEndpoint, TokenRequestError as TokenServiceError } from '../../../src/oauth/token-source.ts'
import { clientCredentialsAuthenticator } from '../../../src/scrape/auth/oauth2.ts'
import { generatePki, pkiUnavailable, type TestPki } from '../../support/certificates.ts'
import { startTokenService, type TokenService } from '../../support/simulator/token-service.ts'
import { createTlsFetch } from '../../support/tls-fetch.ts'

const clock = () => {
  let t = 1_000_000
  const now = () => t
  return Object.assign(now, { advance: (ms: number) => void (t += ms) })
}

const bearer = async (auth: { headers(): Promise<Record<string, string>> }) => (await auth.headers()).authorization

describe('token lifetime rules', () => {
  it('renews 30 s before expiry, but never in the first half of the lifetime', () => {
    expect(renewalDelayMs(43_199_000)).toBe(43_169_000)
    expect(renewalDelayMs(40_000)).toBe(20_000)
  })
  it('takes a URL with a path as the endpoint and completes a bare one', () => {
    expect(tokenEndpoint('https://uaa.example.org/oauth/token')).toBe('https://uaa.example.org/oauth/token')
    expect(tokenEndpoint('https://uaa.example.org')).toBe('https://uaa.example.org/oauth/token')
  })
})

describe('OAuth2XSUAABasic (client secret)', () => {
  let service: TokenService
  beforeAll(async () => {
    service = await startTokenService({
      clients: [{ id: 'sb-promregator!t42', secret: 's3cr3t=+/%:', scopes: ['metrics.read', 'uaa.resource'] }],
      tokenLifetimeSeconds: 600,
    })
  })
  afterAll(() => service.close())

  const authenticator = (now: () => number, overrides: { secret?: string; scopes?: string } = {}) =>
    createAuthenticator(
      {
        type: 'oauth2xsuaabasic',
        oauth2xsuaaBasic: { tokenServiceURL: service.url, client_id: 'sb-promregator!t42', client_secret: overrides.secret ?? 's3cr3t=+/%:', scopes: overrides.scopes },
      },
      { fetch: globalThis.fetch, now },
    )

  it('tells each token it obtains, so the process can keep it out of its logs', async () => {
    const told: string[] = []
    const auth = createAuthenticator(
      { type: 'oauth2xsuaabasic', oauth2xsuaaBasic: { tokenServiceURL: service.url, client_id: 'sb-promregator!t42', client_secret: 's3cr3t=+/%:' } },
      { fetch: globalThis.fetch, now: clock(), onToken: (token) => told.push(token) },
    )
    const header = await bearer(auth)
    await bearer(auth)
    expect(told).toEqual([header!.replace(/^Bearer /, '')])
  })

  it('fetches one token with the client-credentials grant and reuses it', async () => {
    const before = service.requests().length
    const auth = authenticator(clock())
    const first = await bearer(auth)
    expect(first).toMatch(/^Bearer sim-xsuaa-/)
    expect(await bearer(auth)).toBe(first)
    expect(await bearer(auth)).toBe(first)
    const requests = service.requests().slice(before)
    expect(requests).toHaveLength(1)
    expect(requests[0]).toMatchObject({ grantType: 'client_credentials', clientAuth: 'basic', clientId: 'sb-promregator!t42', status: 200 })
    expect(service.accepts(first)).toBe(true)
  })

  it('sends the configured scopes, separated by blanks', async () => {
    const before = service.requests().length
    await bearer(authenticator(clock(), { scopes: 'metrics.read, uaa.resource' }))
    expect(service.requests()[before]).toMatchObject({ scope: 'metrics.read uaa.resource', status: 200 })
  })

  it('renews the token shortly before it expires, not after', async () => {
    const now = clock()
    const auth = authenticator(now)
    const first = await bearer(auth)
    now.advance(renewalDelayMs(600_000) - 1)
    expect(await bearer(auth)).toBe(first)
    now.advance(1)
    const second = await bearer(auth)
    expect(second).not.toBe(first)
    expect(service.accepts(second)).toBe(true)
  })

  it('has one token request in flight however many scrapes ask at once', async () => {
    const before = service.requests().length
    const auth = authenticator(clock())
    const tokens = await Promise.all(Array.from({ length: 20 }, () => bearer(auth)))
    expect(new Set(tokens).size).toBe(1)
    expect(service.requests().length - before).toBe(1)
  })

  it('renews once after a target rejects the token, and only if the token is not brand new', async () => {
    const now = clock()
    const auth = authenticator(now)
    const first = await auth.headers()
    expect(auth.rejected!(first)).toBe(false) // a token fetched a moment ago would fare no better
    now.advance(10_000)
    const before = service.requests().length
    expect(auth.rejected!(first)).toBe(true)
    expect(auth.rejected!(first)).toBe(true) // a second scrape that saw the same 401 …
    const [a, b] = await Promise.all([auth.headers(), auth.headers()])
    expect(a).toEqual(b) // … shares the one fresh token
    expect(a.authorization).not.toBe(first.authorization)
    expect(service.requests().length - before).toBe(1)
  })

  it('turns wrong credentials into a clear error, and does not hammer the token service', async () => {
    const now = clock()
    const auth = authenticator(now, { secret: 'wrong' })
    const before = service.requests().length
    const error = await auth.headers().then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(TokenServiceError)
    expect((error as Error).message).toMatch(/refused the client_credentials grant for client sb-promregator!t42 \(HTTP 401\): unauthorized: Bad credentials/)
    await expect(auth.headers()).rejects.toThrow(/HTTP 401/)
    expect(service.requests().length - before).toBe(1)
    now.advance(5_000)
    await expect(auth.headers()).rejects.toThrow(/HTTP 401/)
    expect(service.requests().length - before).toBe(2)
  })

  it('recovers after the token service was unavailable', async () => {
    const now = clock()
    const auth = authenticator(now)
    service.failNext(1)
    await expect(auth.headers()).rejects.toThrow(/HTTP 503/)
    now.advance(5_000)
    expect(await bearer(auth)).toMatch(/^Bearer /)
  })

  it('names an unreachable token service', async () => {
    const auth = clientCredentialsAuthenticator({ tokenUrl: 'http://127.0.0.1:1/oauth/token', clientId: 'x', clientSecret: 'y', fetch: globalThis.fetch })
    await expect(auth.headers()).rejects.toThrow(/token service http:\/\/127\.0\.0\.1:1\/oauth\/token unreachable/)
  })
})

describe('OAuth2XSUAACertificate (mTLS)', () => {
  let pki: TestPki
  let service: TokenService
  let skipReason: string | undefined
  beforeAll(async () => {
    skipReason = pkiUnavailable()
    if (skipReason) return
    pki = generatePki()
    service = await startTokenService({ clients: [{ id: 'sb-cert-client', certificateCN: 'promregator-client', scopes: ['metrics.read'] }], tls: { ...pki.server, ca: pki.ca } })
  })
  afterAll(() => service?.close())

  const authenticator = (client: { cert: string; key: string }) =>
    createAuthenticator(
      {
        type: 'oauth2xsuaacertificate',
        oauth2xsuaaCertificate: { tokenServiceCertURL: service.certUrl!, client_id: 'sb-cert-client', client_certificates: client.cert, client_key: client.key, scopes: 'metrics.read' },
      },
      { fetch: createTlsFetch({ base: globalThis.fetch, trustedCa: pki.ca }), now: clock() },
    )

  it('gets a token by presenting the client certificate', async ({ skip }) => {
    if (skipReason) return skip()
    const token = await bearer(authenticator(pki.client))
    expect(service.accepts(token)).toBe(true)
    expect(service.requests().at(-1)).toMatchObject({ endpoint: 'mtls', clientAuth: 'certificate', clientId: 'sb-cert-client', scope: 'metrics.read', status: 200 })
  })

  it('is refused with a certificate from a CA the token service does not trust', async ({ skip }) => {
    if (skipReason) return skip()
    await expect(authenticator(pki.strangerClient).headers()).rejects.toThrow(/HTTP 401\): unauthorized: No trusted client certificate/)
  })
})
