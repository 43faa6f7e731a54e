/**
 * The warnings a valid but risky configuration gets at start and from `--check-config`: an open
 * `/cache/invalidate` on an address others can reach.
 */
import { describe, expect, it } from 'vitest'
import { checkConfig } from '../../src/boot.ts'
import { configAdvice } from '../../src/config/advice.ts'
import { loadConfigText } from '../../src/config/load.ts'

const CF = 'cf: { api_host: api.example.org, username: u, password: p }\n'
const advice = (yaml: string) => {
  const loaded = loadConfigText(CF + yaml)
  if (!loaded.ok) throw new Error(loaded.problems.join('; '))
  return configAdvice(loaded.config)
}

describe('configuration advice', () => {
  it('warns when /cache/invalidate is open on an address others can reach', () => {
    expect(advice('')).toEqual([expect.stringMatching(/^promregator\.cache\.invalidate\.auth is NONE and the server listens on 0\.0\.0\.0: .*set promregator\.cache\.invalidate\.auth: BASIC$/)])
  })

  it('stays quiet when the endpoint is protected or the server is local-only', () => {
    expect(advice('promregator: { cache: { invalidate: { auth: BASIC } } }\n')).toEqual([])
    expect(advice('server: { address: 127.0.0.1 }\n')).toEqual([])
  })

  it('is printed by --check-config', async () => {
    const report = await checkConfig({ source: { kind: 'text', text: CF, origin: 'test' }, readText: async () => '', env: {} })
    expect(report.code).toBe(0)
    expect(report.stderr.some((line) => line.startsWith('promregator: warning: promregator.cache.invalidate.auth is NONE'))).toBe(true)
  })
})
