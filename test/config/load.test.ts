import { describe, expect, it } from 'vitest'
import { loadConfigSource, loadConfigText } from '../../src/config/load.ts'

const minimal = `
cf:
  api_host: api.example.org
  username: admin
  password: secret
promregator:
  targets:
    - orgName: org1
      spaceName: dev
      applicationName: app1
`

function problems(text: string): string[] {
  const result = loadConfigText(text)
  if (result.ok) throw new Error('expected problems')
  return result.problems
}

describe('configuration', () => {
  it('applies the defaults of the original', () => {
    const result = loadConfigText(minimal)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const t = result.config.promregator.targets[0]!
    expect(t.path).toBe('/metrics')
    expect(t.protocol).toBeUndefined() // its default depends on the platform: https on Cloud Foundry
    expect(t.preferredRouteRegex).toEqual([])
    expect(result.config.promregator.defaultInternalRoutePort).toBe(8080)
    expect(result.config.promregator.scraping.maxProcessingTime).toBe(5000)
    expect(result.config.promregator.discovery.ownMetricsEndpoint).toBe(true)
    expect(result.config.server.port).toBe(8080)
    expect(!Array.isArray(result.config.cf) && result.config.cf?.skipSslValidation).toBe(false)
    expect(result.warnings).toEqual([])
  })

  it('ignores keys outside its namespaces and warns about unknown keys inside them', () => {
    const result = loadConfigText(`${minimal}
scrape_configs: [{ job_name: x }]
global: { scrape_interval: 15s }
server:
  port: 9000
  colour: blue
`)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.config.server.port).toBe(9000)
    expect(result.warnings).toEqual(['server.colour: unknown key, ignored'])
  })

  it('warns about unknown keys inside targets', () => {
    const result = loadConfigText(minimal.replace('applicationName: app1', 'applicationName: app1\n      appName: typo'))
    expect(result.ok && result.warnings).toEqual(['promregator.targets[0].appName: unknown key, ignored'])
  })

  it('names the key path of a wrong type', () => {
    expect(problems(minimal.replace('orgName: org1', 'orgName: [1]'))).toEqual(['promregator.targets[0].orgName: expected a string, got an array'])
    expect(problems(minimal.replace('orgName: org1', 'orgName: 12'))).toEqual(['promregator.targets[0].orgName: expected a string, got number 12'])
  })

  it('reports a missing api_host', () => {
    expect(problems('cf:\n  username: a\n')).toEqual(['cf.api_host: required (a string)'])
    expect(problems('promregator: {}\n')).toEqual(['cf: no platform configured: set `cf` (a Cloud Foundry foundation) or `heroku` (a Heroku account)'])
  })

  it('rejects broken YAML with its line', () => {
    const p = problems('cf:\n  api_host: "unterminated\n')
    expect(p).toHaveLength(1)
    expect(p[0]).toMatch(/^config: invalid YAML: .* at line \d+, column \d+/)
  })

  it('rejects an invalid regex with its path', () => {
    expect(problems(minimal.replace('orgName: org1', 'orgRegex: "org(["'))).toEqual(['promregator.targets[0].orgRegex: invalid regular expression'])
    expect(problems(minimal.replace('applicationName: app1', 'preferredRouteRegex: ["ok", "bad("]'))).toEqual([
      'promregator.targets[0].preferredRouteRegex[1]: invalid regular expression',
    ])
  })

  it('rejects an unknown authenticatorId', () => {
    expect(problems(minimal.replace('applicationName: app1', 'applicationName: app1\n      authenticatorId: nope'))).toEqual([
      "promregator.targets[0].authenticatorId: unknown authenticator 'nope' (not in promregator.targetAuthenticators)",
    ])
  })

  it('accepts authenticator types case-insensitively and needs their settings', () => {
    const ok = loadConfigText(`${minimal}  targetAuthenticators:
    - id: basicAuth
      type: BASIC
      basic: { username: u, password: p }
  authenticator:
    type: None
`)
    expect(ok.ok).toBe(true)
    expect(problems(`${minimal}  authenticator:\n    type: basic\n`)).toEqual(['promregator.authenticator.basic: required when type is basic'])
    // An unknown type authenticates nothing, as in the original, and says so.
    const unknown = loadConfigText(`${minimal}  authenticator:\n    type: kerberos\n`)
    expect(unknown.ok && unknown.config.promregator.authenticator?.type).toBe('none')
    expect(unknown.ok && unknown.warnings).toContain("promregator.authenticator.type is 'kerberos', not a type: it authenticates nothing (type none), as in the original")
  })

  it('rejects a protocol other than http or https', () => {
    expect(problems(minimal.replace('applicationName: app1', 'applicationName: app1\n      protocol: ftp'))).toEqual([
      'promregator.targets[0].protocol: expected one of http, https',
    ])
  })

  it('lets CF_PASSWORD override cf.password', () => {
    const result = loadConfigText(minimal, { CF_PASSWORD: 'from-env' })
    expect(result.ok && !Array.isArray(result.config.cf) && result.config.cf?.password).toBe('from-env')
  })

  it('reports a missing file without throwing', async () => {
    const path = '/nonexistent/promregator.yml'
    const result = await loadConfigSource({ kind: 'file', path, origin: path }, async (p) => {
      const { readFile } = await import('node:fs/promises')
      return readFile(p, 'utf8')
    })
    expect(result).toEqual({ ok: false, problems: ['/nonexistent/promregator.yml: cannot read configuration: file not found'] })
  })

  it('pauses between the steps of reading the YAML and validating it, with the same results', async () => {
    const steps: string[] = []
    const staged = (text: string, env: Record<string, string> = {}) =>
      loadConfigSource({ kind: 'text', text, origin: 'config' }, () => Promise.reject(new Error('not read')), env, async () => void steps.push('pause'))
    expect(await staged(minimal, { CF_PASSWORD: 'from-env' })).toEqual(loadConfigText(minimal, { CF_PASSWORD: 'from-env' }))
    expect(steps).toEqual(['pause', 'pause', 'pause'])
    // Constructs that span the middle of the text, where it is cut in two for the parser.
    const spanning = `cf:\n  api_host: api.example.org\n  username: admin\n  password: secret\n  request:\n    timeout: {\n      org: 2000,\n      space: 3000 }\n# a comment\npromregator:\n  targets:\n    - orgName: >-\n        folded\n        name\n      spaceName: "dev"\n`
    const whole = loadConfigText(spanning)
    expect(whole.ok && whole.config.promregator.targets[0]?.orgName).toBe('folded name')
    expect(await staged(spanning)).toEqual(whole)
    // Broken YAML, a scalar, an empty file, a duplicate key: the same answer as in one go.
    for (const text of ['cf: [', 'just a string', '', 'cf: {}\ncf: {}\n', 'cf:\n  api_host: "unterminated\n']) {
      const result = await staged(text)
      expect(result, JSON.stringify(text)).toEqual(loadConfigText(text))
      if (text !== '') expect(result.ok, JSON.stringify(text)).toBe(false)
    }
    // Several documents, merged (config/profiles.ts): the same answer too.
    const several = `${minimal}\n---\npromregator:\n  defaultInternalRoutePort: 9090\n`
    expect(await staged(several)).toEqual(loadConfigText(several))
  })

  it('lists every problem, one line each', () => {
    const p = problems(`cf:
  api_host: 5
promregator:
  defaultInternalRoutePort: "x"
  targets:
    - orgRegex: "("
`)
    expect(p).toEqual([
      'cf.api_host: expected a string, got number 5',
      'promregator.targets[0].orgRegex: invalid regular expression',
      'promregator.defaultInternalRoutePort: expected a number, got string "x"',
    ])
  })
})
