/**
 * The configuration keys of the scrape stage: defaults of the bounds, their validation, the two
 * proxy blocks, and the OAuth2 authenticator keys of the original (type matched case-insensitively).
 */
import { describe, expect, it } from 'vitest'
import { loadConfigText } from '../../src/config/load.ts'
import { fetchThroughProxy, proxyUrlOf } from '../../src/net/proxy.ts'

const load = (promregator: string, cf = '') => loadConfigText(`cf: { api_host: api.example.org, username: u, password: p${cf} }\npromregator:\n${promregator}\n`)

describe('scraping bounds', () => {
  it('default to 16 MiB, 5 redirects and 64 scrapes in flight', () => {
    const loaded = load('  targets: []')
    expect(loaded.ok && loaded.config.promregator.scraping).toMatchObject({ maxResponseSize: 16 * 1024 * 1024, maxRedirects: 5, threads: 64, connectionTimeout: 5000, socketReadTimeout: 5000, maxProcessingTime: 5000 })
  })

  it('take configured values and refuse nonsense with the key path', () => {
    const loaded = load('  scraping: { maxResponseSize: 1048576, maxRedirects: 0, threads: 5 }')
    expect(loaded.ok && loaded.config.promregator.scraping).toMatchObject({ maxResponseSize: 1048576, maxRedirects: 0, threads: 5 })
    const bad = load('  scraping: { maxResponseSize: 10, threads: 0 }')
    expect(bad.ok).toBe(false)
    expect(!bad.ok && bad.problems.join('\n')).toMatch(/promregator\.scraping\.maxResponseSize/)
    expect(!bad.ok && bad.problems.join('\n')).toMatch(/promregator\.scraping\.threads/)
  })
})

describe('proxies', () => {
  it('reads cf.proxy and promregator.scraping.proxy', () => {
    const loaded = load('  scraping: { proxy: { host: scrape-proxy, port: 3128 } }', ', proxy: { host: cc-proxy, port: 8888 }')
    expect(loaded.ok).toBe(true)
    if (!loaded.ok) return
    const cf = Array.isArray(loaded.config.cf) ? loaded.config.cf[0]! : loaded.config.cf
    expect(proxyUrlOf(cf?.proxy)).toBe('http://cc-proxy:8888')
    expect(proxyUrlOf(loaded.config.promregator.scraping.proxy)).toBe('http://scrape-proxy:3128')
    expect(proxyUrlOf({ host: '::1', port: 3128 })).toBe('http://[::1]:3128')
  })

  it('adds the proxy to every request unless one names its own', async () => {
    const seen: unknown[] = []
    const inner = (async (_input: unknown, init?: RequestInit & { proxy?: string }) => {
      seen.push(init?.proxy)
      return new Response('')
    }) as typeof fetch
    const proxied = fetchThroughProxy(inner, 'http://cc-proxy:8888')
    await proxied('http://a/')
    await proxied('http://a/', { proxy: 'http://other:1' } as RequestInit)
    await fetchThroughProxy(inner, undefined)('http://a/')
    expect(seen).toEqual(['http://cc-proxy:8888', 'http://other:1', undefined])
  })
})

describe('OAuth2 authenticator keys', () => {
  it('accept the keys and spelling of the original', () => {
    const loaded = load(`  authenticator:
    type: OAuth2XSUAACertificate
    oauth2xsuaaCertificate: { tokenServiceCertURL: "https://x.authentication.cert.example.org/oauth/token", client_id: c, client_certificates: "PEM", client_key: "KEY", scopes: "a,b" }
  targetAuthenticators:
    - id: one
      type: oauth2xsuaabasic
      oauth2xsuaaBasic: { tokenServiceURL: "https://x.authentication.example.org/oauth/token", client_id: c, client_secret: s }`)
    expect(loaded.ok && loaded.config.promregator.authenticator?.type).toBe('oauth2xsuaacertificate')
    expect(loaded.ok && loaded.config.promregator.targetAuthenticators[0]?.type).toBe('oauth2xsuaabasic')
  })

  it('demand the settings block of the chosen type', () => {
    const loaded = load('  authenticator: { type: OAuth2XSUAABasic }')
    expect(!loaded.ok && loaded.problems.join('\n')).toMatch(/promregator\.authenticator\.oauth2xsuaaBasic/)
  })
})
