/**
 * Every key from the environment, as Spring Boot binds variables for the original, over the file;
 * SPRING_APPLICATION_JSON over both; Cloud Foundry's own CF_INSTANCE_* variables never taken for keys.
 */
import { describe, expect, it } from 'vitest'
import { loadConfigText } from '../../src/config/load.ts'

const FILE = `cf:
  api_host: file.example.org
  username: u
  password: p
promregator:
  targets:
    - { orgName: from-file, spaceName: dev }
`

const load = (env: Record<string, string>, text = FILE) => {
  const result = loadConfigText(text, env)
  if (!result.ok) throw new Error(result.problems.join('\n'))
  return result
}

describe('keys from the environment', () => {
  it('bind CF_API_HOST, PROMREGATOR_DISCOVERY_HOSTNAME and list entries by index, over the file', () => {
    const { config, warnings } = load({
      CF_API_HOST: 'env.example.org',
      PROMREGATOR_DISCOVERY_HOSTNAME: 'prom.example.org',
      PROMREGATOR_TARGETS_0_ORGNAME: 'from-env',
      PROMREGATOR_TARGETS_1_ORGNAME: 'second',
      PROMREGATOR_TARGETS_1_PREFERREDROUTEREGEX_0: '.*internal',
      PROMREGATOR_DEFAULTINTERNALROUTEPORT: '9090',
    })
    expect(config.cf).toMatchObject({ api_host: 'env.example.org', username: 'u' })
    expect(config.promregator.discovery.hostname).toBe('prom.example.org')
    expect(config.promregator.targets.map((t) => [t.orgName, t.spaceName, t.preferredRouteRegex])).toEqual([
      ['from-env', 'dev', []],
      ['second', undefined, ['.*internal']],
    ])
    expect(config.promregator.defaultInternalRoutePort).toBe(9090)
    // Names, never values.
    expect(warnings).toContain('promregator.targets[0].orgName set from the environment (PROMREGATOR_TARGETS_0_ORGNAME)')
  })

  it("accept a key's underscore written or not, and create sections the file lacks", () => {
    const { config } = load({ CF_APIHOST: 'a.example.org', PROMREGATOR_SCRAPING_MAXPROCESSINGTIME: '2500' })
    expect(config.cf).toMatchObject({ api_host: 'a.example.org' })
    expect(config.promregator.scraping.maxProcessingTime).toBe(2500)
  })

  it("leave Cloud Foundry's own variables and the configuration source alone", () => {
    const { config, warnings } = load({ CF_INSTANCE_INDEX: '0', CF_INSTANCE_GUID: 'g', PROMREGATOR_CONFIG: 'x.yml', CF_STACK: 'cflinuxfs4' })
    expect(config.cf).toMatchObject({ api_host: 'file.example.org' })
    expect(warnings.filter((w) => w.includes('set from the environment'))).toEqual([])
  })

  it('merge SPRING_APPLICATION_JSON over the file and the variables', () => {
    const { config } = load({ CF_API_HOST: 'env.example.org', SPRING_APPLICATION_JSON: JSON.stringify({ cf: { api_host: 'json.example.org' }, promregator: { discovery: { hostname: 'h' } } }) })
    expect(config.cf).toMatchObject({ api_host: 'json.example.org', username: 'u' })
    expect(config.promregator.discovery.hostname).toBe('h')
    const bad = loadConfigText(FILE, { SPRING_APPLICATION_JSON: '[1' })
    expect(!bad.ok && bad.problems[0]).toMatch(/^SPRING_APPLICATION_JSON is not a JSON object/)
  })

  it('keep the secrets\' own variables working as before (CF_PASSWORD, CF_PASSWORD_<NAME>)', () => {
    const { config } = load({ CF_PASSWORD: 'from-env' })
    expect(config.cf).toMatchObject({ password: 'from-env' })
  })
})
