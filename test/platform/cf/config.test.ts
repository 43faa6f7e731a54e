/**
 * The `cf` section: the original's keys and defaults, client credentials, and the list form of
 * named foundations with its checks, while a single block keeps working.
 */
import { describe, expect, it } from 'vitest'
import { foundationsOf, grantOf } from '../../../src/platform/cf/foundations.ts'
import { loadConfigText } from '../../../src/config/load.ts'

function load(text: string) {
  const result = loadConfigText(text)
  if (!result.ok) throw new Error(result.problems.join('\n'))
  return result
}
const problems = (text: string) => {
  const result = loadConfigText(text)
  return result.ok ? [] : result.problems
}

describe('cf configuration', () => {
  it('has the original cache timeouts and request settings by default', () => {
    const { config } = load('cf: { api_host: api.example.org, username: u, password: p }\n')
    const [foundation] = foundationsOf(config)
    expect(foundation!.name).toBe('default')
    expect(foundation!.settings.cache.timeout).toEqual({ org: 3600, space: 3600, domain: 3600, application: 300, route: 300, process: 300, resolver: 300 })
    expect(foundation!.settings.request).toMatchObject({ backoff: 500, retries: 2, rateLimit: 10 })
    expect(grantOf(foundation!.settings).request(undefined)).toEqual({ grantType: 'password', form: { username: 'u', password: 'p' }, client: { id: 'cf', secret: '' } })
  })

  it('uses the client-credentials grant with client_id and client_secret', () => {
    const { config } = load('cf: { api_host: api.example.org, client_id: prom, client_secret: s }\n')
    expect(grantOf(foundationsOf(config)[0]!.settings).request(undefined)).toEqual({ grantType: 'client_credentials', form: {}, client: { id: 'prom', secret: 's' } })
  })

  it('requires credentials', () => {
    expect(problems('cf: { api_host: api.example.org }\n')).toEqual([
      'cf: credentials required: `username` and `password` (password grant) or `client_id` and `client_secret` (client credentials)',
    ])
  })

  it('accepts a list of named foundations whose targets name them', () => {
    const { config, warnings } = load(`cf:
  - { name: eu, api_host: api.eu.example.org, username: u, password: p, cache: { timeout: { application: 60 } } }
  - { name: us, api_host: api.us.example.org, client_id: c, client_secret: s }
promregator:
  targets:
    - { foundation: eu, orgName: a }
    - { foundation: us, orgName: b, labelSelector: "team=x" }
`)
    expect(foundationsOf(config).map((f) => `${f.name} ${f.settings.cache.timeout.application}`)).toEqual(['eu 60', 'us 300'])
    expect(warnings).toEqual([])
  })

  it('explains what is wrong with a list', () => {
    expect(
      problems(`cf:
  - { name: eu, api_host: a, username: u, password: p, colour: blue }
  - { name: eu, api_host: b, username: u, password: p }
promregator:
  targets:
    - { orgName: a }
    - { foundation: asia, orgName: b }
`),
    ).toEqual([
      "cf[1].name: duplicate platform entry name 'eu'",
      'promregator.targets[0].foundation: required when several platform entries are configured (one of eu)',
      "promregator.targets[1].foundation: unknown platform entry 'asia' (not a name in the cf or heroku list)",
    ])
    expect(problems('cf:\n  - { api_host: a, username: u, password: p }\n')).toEqual(['cf[0].name: required (a string)'])
    expect(loadConfigText('cf:\n  - { name: eu, api_host: a, username: u, password: p, colour: blue }\n')).toMatchObject({ ok: true, warnings: ['cf[0].colour: unknown key, ignored'] })
  })
})
