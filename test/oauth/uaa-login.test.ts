/**
 * The token source as the Cloud Foundry login uses it (UAA: password grant as client `cf`, refresh
 * token, client credentials; renewal a minute before expiry), against a fake token endpoint.
 */
import { describe, expect, it } from 'vitest'
import { clientCredentialsGrant, passwordGrant } from '../../src/oauth/grants.ts'
import { createTokenSource } from '../../src/oauth/token-source.ts'

type LoginGrant = { kind: 'password'; username: string; password: string } | { kind: 'client_credentials'; clientId: string; clientSecret: string }

/** The token source with the settings of the Cloud Foundry login (platform/cf/foundations.ts). */
function createTokenProvider(options: { uaaUrl: string; grant: LoginGrant; fetch: typeof fetch; now?: () => number }) {
  const grant = options.grant.kind === 'password' ? passwordGrant(options.grant) : clientCredentialsGrant(options.grant)
  return createTokenSource({ tokenUrl: `${options.uaaUrl.replace(/\/+$/, '')}/oauth/token`, label: 'UAA', grant, fetch: options.fetch, now: options.now, renewBeforeMs: 60_000, defaultLifetimeS: 600 })
}

function fakeUaa(responses: Array<{ status: number; body: unknown }>) {
  const requests: URLSearchParams[] = []
  const headers: Headers[] = []
  const fakeFetch = (async (_url: string, init: RequestInit) => {
    requests.push(new URLSearchParams(String(init.body)))
    headers.push(new Headers(init.headers))
    await new Promise((r) => setTimeout(r, 5))
    const next = responses.shift() ?? { status: 500, body: {} }
    return new Response(JSON.stringify(next.body), { status: next.status })
  }) as unknown as typeof fetch
  return { fetch: fakeFetch, requests, headers }
}

describe('UAA token provider', () => {
  it('logs in once with the password grant as client cf, however many callers wait', async () => {
    const uaa = fakeUaa([{ status: 200, body: { access_token: 'T1', expires_in: 1200, refresh_token: 'R1' } }])
    const provider = createTokenProvider({ uaaUrl: 'http://uaa/', grant: { kind: 'password', username: 'u', password: 'p' }, fetch: uaa.fetch })
    const tokens = await Promise.all(Array.from({ length: 10 }, () => provider.token()))
    expect(new Set(tokens)).toEqual(new Set(['T1']))
    expect(uaa.requests).toHaveLength(1)
    expect(uaa.requests[0]!.get('grant_type')).toBe('password')
    expect(uaa.headers[0]!.get('authorization')).toBe(`Basic ${btoa('cf:')}`)
  })

  it('renews with the refresh token a minute before expiry', async () => {
    let now = 0
    const uaa = fakeUaa([
      { status: 200, body: { access_token: 'T1', expires_in: 1200, refresh_token: 'R1' } },
      { status: 200, body: { access_token: 'T2', expires_in: 1200, refresh_token: 'R2' } },
    ])
    const provider = createTokenProvider({ uaaUrl: 'http://uaa', grant: { kind: 'password', username: 'u', password: 'p' }, fetch: uaa.fetch, now: () => now })
    expect(await provider.token()).toBe('T1')
    now = 1_130_000 // 70 s before expiry: still fine
    expect(await provider.token()).toBe('T1')
    now = 1_150_000 // 50 s before expiry: renew
    expect(await provider.token()).toBe('T2')
    expect(uaa.requests[1]!.get('grant_type')).toBe('refresh_token')
    expect(uaa.requests[1]!.get('refresh_token')).toBe('R1')
  })

  it('falls back to the password when the refresh token is refused', async () => {
    const uaa = fakeUaa([
      { status: 200, body: { access_token: 'T1', expires_in: 1200, refresh_token: 'R1' } },
      { status: 401, body: { error: 'invalid_token', error_description: 'expired' } },
      { status: 200, body: { access_token: 'T3', expires_in: 1200 } },
    ])
    const provider = createTokenProvider({ uaaUrl: 'http://uaa', grant: { kind: 'password', username: 'u', password: 'p' }, fetch: uaa.fetch })
    await provider.token()
    provider.invalidate('T1')
    expect(await provider.token()).toBe('T3')
    expect(uaa.requests.map((r) => r.get('grant_type'))).toEqual(['password', 'refresh_token', 'password'])
  })

  it('reports bad credentials with the OAuth2 error', async () => {
    const uaa = fakeUaa([{ status: 401, body: { error: 'unauthorized', error_description: 'Bad credentials' } }])
    const provider = createTokenProvider({ uaaUrl: 'http://uaa', grant: { kind: 'password', username: 'u', password: 'wrong' }, fetch: uaa.fetch })
    await expect(provider.token()).rejects.toThrow('UAA refused the password grant (HTTP 401): unauthorized: Bad credentials')
  })

  it('uses the client-credentials grant with the client id and secret', async () => {
    const uaa = fakeUaa([{ status: 200, body: { access_token: 'C1', expires_in: 600 } }])
    const provider = createTokenProvider({ uaaUrl: 'http://uaa', grant: { kind: 'client_credentials', clientId: 'prom', clientSecret: 's3cret' }, fetch: uaa.fetch })
    expect(await provider.token()).toBe('C1')
    expect(uaa.requests[0]!.get('grant_type')).toBe('client_credentials')
    expect(uaa.headers[0]!.get('authorization')).toBe(`Basic ${btoa('prom:s3cret')}`)
  })

  it('form-encodes client id and secret in the Basic header, as UAA URL-decodes them (RFC 6749 §2.3.1)', async () => {
    const uaa = fakeUaa([{ status: 200, body: { access_token: 'C1', expires_in: 600 } }])
    const provider = createTokenProvider({ uaaUrl: 'http://uaa', grant: { kind: 'client_credentials', clientId: 'sb-prom!t1', clientSecret: 'a+b%2F:c/d é' }, fetch: uaa.fetch })
    await provider.token()
    const sent = atob(uaa.headers[0]!.get('authorization')!.replace(/^Basic /, ''))
    expect(sent).toBe('sb-prom%21t1:a%2Bb%252F%3Ac%2Fd+%C3%A9')
    // Decoded as UAA decodes it, the credentials are the configured ones again.
    const [id, secret] = sent.split(':').map((part) => decodeURIComponent(part.replaceAll('+', ' ')))
    expect([id, secret]).toEqual(['sb-prom!t1', 'a+b%2F:c/d é'])
  })
})
