/**
 * The `heroku` section: one block or named entries beside `cf`, the token from the file or the
 * Heroku CLI's variables, targets on the right kind of platform with only the keys it takes, and
 * every mistake reported as one line naming the key.
 */
import { describe, expect, it } from 'vitest'
import { checkConfig } from '../../src/boot.ts'
import { loadConfigText } from '../../src/config/load.ts'

const problems = (text: string, env: Record<string, string> = {}): string[] => {
  const result = loadConfigText(text, env)
  if (result.ok) throw new Error('expected problems')
  return result.problems
}

const both = (targets: string) => `
cf:
  - { name: eu, api_host: api.example.org, username: u, password: p }
heroku:
  - { name: space-eu, token: t }
promregator:
  targets:
${targets}
`

describe('heroku configuration', () => {
  it('takes one block with defaults, the token from HEROKU_API_KEY', () => {
    const result = loadConfigText('heroku: {}\npromregator:\n  targets:\n    - { spaceName: prod, applicationName: shop }\n', { HEROKU_API_KEY: 'from-env' })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.config.heroku).toMatchObject({ api_url: 'https://api.heroku.com', token: 'from-env', rateLimit: { perSecond: 2, reserve: 1000 }, refreshInterval: 300 })
    expect(result.config.cf).toBeUndefined()
  })

  it('takes named entries beside cf foundations, each token from HEROKU_API_KEY_<NAME>', () => {
    const result = loadConfigText(`heroku:\n  - { name: space-eu }\ncf:\n  - { name: eu, api_host: a, username: u, password: p }\npromregator:\n  targets:\n    - { foundation: space-eu, spaceName: prod, processType: worker, port: 9100 }\n    - { foundation: eu, orgName: o }\n`, { HEROKU_API_KEY_SPACE_EU: 'eu-token' })
    expect(result.ok && Array.isArray(result.config.heroku) && result.config.heroku[0]!.token).toBe('eu-token')
  })

  it('names the key of every mistake', () => {
    expect(problems('heroku: {}\n')).toEqual(["heroku.token: required: the account's OAuth token (or the environment variable HEROKU_API_KEY)"])
    expect(problems(both('    - { foundation: nowhere }'))).toEqual(["promregator.targets[0].foundation: unknown platform entry 'nowhere' (not a name in the cf or heroku list)"])
    expect(problems(both('    - { spaceName: prod }'))).toEqual(['promregator.targets[0].foundation: required when several platform entries are configured (one of eu, space-eu)'])
    expect(problems(both('    - { foundation: space-eu, orgName: acme, labelSelector: "a=b" }'))).toEqual([
      'promregator.targets[0].orgName: a Heroku target does not take orgName',
      'promregator.targets[0].labelSelector: a Heroku target does not take labelSelector',
    ])
    expect(problems(both('    - { foundation: eu, teamName: acme, processType: worker, port: 9100 }'))).toEqual([
      'promregator.targets[0].teamName: a Cloud Foundry target does not take teamName',
      'promregator.targets[0].processType: a Cloud Foundry target does not take processType',
      'promregator.targets[0].port: a Cloud Foundry target does not take port',
    ])
    expect(problems('cf:\n  - { name: x, api_host: a, username: u, password: p }\nheroku:\n  - { name: x, token: t }\n')).toEqual(["heroku[0].name: duplicate platform entry name 'x'"])
    expect(problems('cf: { api_host: a, username: u, password: p }\nheroku: { token: t }\n')).toEqual([
      'cf: with several platform entries each needs a name: write `cf` as a list of entries with `name`',
      'heroku: with several platform entries each needs a name: write `heroku` as a list of entries with `name`',
    ])
  })

  it('--check-config names both kinds of entries, or the key that is wrong', async () => {
    const check = (text: string, env: Record<string, string> = {}) => checkConfig({ source: { kind: 'text', text, origin: 'test' }, readText: async () => '', env })
    const ok = await check(both('    - { foundation: space-eu, spaceName: prod }\n    - { foundation: eu, orgName: o }'))
    expect([ok.code, ok.stdout]).toEqual([0, 'test: configuration OK; 2 targets on eu (api.example.org), space-eu (Heroku https://api.heroku.com)'])
    const bad = await check('heroku: {}\n')
    expect([bad.code, bad.stderr]).toEqual([2, ["promregator: heroku.token: required: the account's OAuth token (or the environment variable HEROKU_API_KEY)"]])
  })
})
