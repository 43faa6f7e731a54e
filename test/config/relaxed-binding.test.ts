/**
 * Spring Boot's relaxed binding, as the Java original's users write their files: key spellings,
 * single values for lists, numbers and booleans as strings, empty sections as not set; and what
 * `--check-config` is told about each.
 */
import { describe, expect, it } from 'vitest'
import { loadConfigText } from '../../src/config/load.ts'

const load = (yaml: string) => {
  const result = loadConfigText(yaml)
  if (!result.ok) throw new Error(result.problems.join('\n'))
  return result
}

const CF = 'cf: { api_host: api.example.org, username: u, password: p }\n'

describe('relaxed binding', () => {
  it.each(['orgName', 'org-name', 'org_name', 'orgname', 'ORGNAME'])('reads %s as orgName', (spelling) => {
    const { config, warnings } = load(`${CF}promregator:\n  targets:\n    - { ${spelling}: acme, spaceName: dev }\n`)
    expect(config.promregator.targets[0]!.orgName).toBe('acme')
    if (spelling !== 'orgName') expect(warnings).toContain(`promregator.targets[0].${spelling} read as promregator.targets[0].orgName`)
    expect(warnings.filter((w) => w.includes('unknown key'))).toEqual([])
  })

  it('reads the spellings of the original at every level: apiHost, api-host, preferred-route-regex, oauth2xsuaabasic', () => {
    const { config } = load(`cf:
  apiHost: api.example.org
  username: u
  password: p
  request: { rate-limit: 3 }
promregator:
  target-authenticators:
    - id: a
      type: OAuth2XSUAABasic
      oauth2xsuaabasic: { token-service-u-r-l: "https://uaa.example.org/oauth/token", client-id: c, client_secret: s }
  targets:
    - { org-name: acme, preferred-route-regex: [".*internal"], authenticator-id: a }
`)
    expect(config.cf).toMatchObject({ api_host: 'api.example.org', request: { rateLimit: 3 } })
    expect(config.promregator.targets[0]).toMatchObject({ orgName: 'acme', preferredRouteRegex: ['.*internal'], authenticatorId: 'a' })
    expect(config.promregator.targetAuthenticators[0]!.oauth2xsuaaBasic).toMatchObject({ tokenServiceURL: 'https://uaa.example.org/oauth/token', client_id: 'c' })
  })

  it('uses the schema spelling when two spellings of one key are given, and says so', () => {
    const { config, warnings } = load(`${CF}promregator:\n  targets:\n    - { orgname: other, orgName: acme }\n`)
    expect(config.promregator.targets[0]!.orgName).toBe('acme')
    expect(warnings).toContain('promregator.targets[0].orgname and promregator.targets[0].orgName are the same key; promregator.targets[0].orgName is used')
  })

  it('reads a single value where a list is expected, splitting at commas as Spring Boot converts it', () => {
    const { config, warnings } = load(`${CF}promregator:\n  targets:\n    - { orgName: acme, preferredRouteRegex: ".*\\\\.apps\\\\.internal" }\n    - { orgName: acme, preferredRouteRegex: "a.*, b.*" }\n`)
    expect(config.promregator.targets.map((t) => t.preferredRouteRegex)).toEqual([['.*\\.apps\\.internal'], ['a.*', 'b.*']])
    expect(warnings).toContain('promregator.targets[0].preferredRouteRegex: a single value where a list is expected, read as [".*\\\\.apps\\\\.internal"]')
  })

  it('reads numbers and booleans written as strings', () => {
    const { config } = load(`${CF}promregator:\n  defaultInternalRoutePort: "9090"\n  discovery: { refreshInterval: "60" }\n  scraping: { proxyInternalRoutes: "true" }\n  targets: [{ orgName: acme }]\n`)
    expect(config.promregator.defaultInternalRoutePort).toBe(9090)
    expect(config.promregator.discovery.refreshInterval).toBe(60)
    expect(config.promregator.scraping.proxyInternalRoutes).toBe(true)
  })

  it('reads an empty section or a null value as not set', () => {
    const { config } = load(`${CF}promregator:\n  endpoint:\n  discovery: ~\n  targets: [{ orgName: acme, spaceName: ~ }]\n`)
    expect(config.promregator.targets[0]!.spaceName).toBeUndefined()
    expect(config.promregator.discovery.refreshInterval).toBeGreaterThan(0)
  })

  it('reads the deprecated cf.proxyHost and cf.proxyPort as cf.proxy, for each foundation', () => {
    const one = load(`cf: { api_host: a.example.org, username: u, password: p, proxyHost: proxy.example.org, proxyPort: "3128" }\npromregator:\n  targets: [{ orgName: acme }]\n`)
    expect(one.config.cf).toMatchObject({ proxy: { host: 'proxy.example.org', port: 3128 } })
    expect(one.warnings).toContain('cf.proxyHost is deprecated: read as cf.proxy.host')
    const list = load(`cf:\n  - { name: eu, api_host: a.example.org, username: u, password: p, proxy-host: p.example.org, proxy-port: 8080 }\npromregator:\n  targets: [{ orgName: acme }]\n`)
    expect(list.config.cf).toMatchObject([{ proxy: { host: 'p.example.org', port: 8080 } }])
  })

  it('reads an authenticator of type null as one that authenticates nothing, and targets naming it keep working', () => {
    const { config, warnings } = load(`${CF}promregator:
  targetAuthenticators:
    - { id: nothing, type: null }
  targets: [{ orgName: acme, authenticatorId: nothing }]
`)
    expect(config.promregator.targetAuthenticators[0]).toMatchObject({ id: 'nothing', type: 'none' })
    expect(warnings).toContain('promregator.targetAuthenticators[0].type is not set: it authenticates nothing (type none), as in the original')
  })

  it('reads the type OAuth2XSUAA of early releases, with its oauth2xsuaa section, as OAuth2XSUAABasic', () => {
    const { config, warnings } = load(`${CF}promregator:
  authenticator:
    type: OAuth2XSUAA
    oauth2xsuaa: { tokenServiceURL: "https://uaa.example.org/oauth/token", client_id: c, client_secret: s }
  targets: [{ orgName: acme }]
`)
    expect(config.promregator.authenticator).toMatchObject({ type: 'oauth2xsuaabasic', oauth2xsuaaBasic: { client_id: 'c' } })
    expect(warnings.some((w) => w.startsWith('promregator.authenticator.type OAuth2XSUAA is deprecated'))).toBe(true)
  })

  it('reads the deprecated promregator.endpoint.maxProcessingTime and threads as promregator.scraping ones', () => {
    const { config, warnings } = load(`${CF}promregator:\n  endpoint: { maxProcessingTime: 2500, threads: 7 }\n  targets: [{ orgName: acme }]\n`)
    expect(config.promregator.scraping).toMatchObject({ maxProcessingTime: 2500, threads: 7 })
    expect(warnings).toContain('promregator.endpoint.threads is deprecated: read as promregator.scraping.threads')
  })

  it('leaves keys the schema does not know alone, for the unknown-key warning', () => {
    const { warnings } = load(`${CF}promregator:\n  targets: [{ orgName: acme, orgNameX: b }]\n`)
    expect(warnings).toContain('promregator.targets[0].orgNameX: unknown key, ignored')
  })

  it('still refuses a list where one value is expected, saying what the original did with it', () => {
    const result = loadConfigText(`${CF}promregator:\n  targets: [{ orgName: acme, applicationName: [a, b] }]\n`)
    expect(result.ok).toBe(false)
    expect(!result.ok && result.problems[0]).toBe(
      'promregator.targets[0].applicationName: expected a string, got an array; the original ignores a list here and then scrapes every app of the space; name one app per target, or use applicationRegex',
    )
  })
})
