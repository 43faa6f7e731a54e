/**
 * `${NAME}` and `${NAME:default}` placeholders, resolved as Spring Boot resolved them for the
 * original: environment first (with Spring's reading of a property name as a variable), then other
 * keys of the file, then the default; an unresolvable one stops start-up naming key and placeholder.
 */
import { describe, expect, it } from 'vitest'
import { loadConfigText } from '../../src/config/load.ts'

const yaml = (password: string, extra = '') => `cf:
  api_host: api.example.org
  username: u
  password: "${password}"
promregator:
  discovery: { hostname: prom.example.org }
  targets:
    - { orgName: "\${ORG:acme}", spaceName: "\${promregator.discovery.hostname}" }
${extra}`

describe('placeholders', () => {
  it('resolve from the environment, with Spring Boot\'s names for a dotted property', () => {
    const result = loadConfigText(yaml('${my.password.os.variable}'), { MY_PASSWORD_OS_VARIABLE: 's3cret' })
    if (!result.ok) throw new Error(result.problems.join('\n'))
    expect(result.config.cf).toMatchObject({ password: 's3cret' })
    // Names only, never the value.
    expect(result.warnings).toContain('cf.password: ${my.password.os.variable} resolved from the environment (MY_PASSWORD_OS_VARIABLE)')
    expect(result.warnings.join('\n')).not.toContain('s3cret')
  })

  it('resolve from other keys of the file and fall back to their default', () => {
    const result = loadConfigText(yaml('p'), {})
    if (!result.ok) throw new Error(result.problems.join('\n'))
    expect(result.config.promregator.targets[0]).toMatchObject({ orgName: 'acme', spaceName: 'prom.example.org' })
    const fromEnv = loadConfigText(yaml('p'), { ORG: 'globex' })
    expect(fromEnv.ok && fromEnv.config.promregator.targets[0]!.orgName).toBe('globex')
  })

  it('stop start-up naming the key and the placeholder when nothing resolves them', () => {
    const result = loadConfigText(yaml('${CF_PW}'), {})
    expect(result.ok).toBe(false)
    expect(!result.ok && result.problems[0]).toBe('cf.password: placeholder ${CF_PW} resolves to nothing: set the environment variable CF_PW or give a default (${CF_PW:default})')
  })

  it('leave text outside cf, promregator and server alone', () => {
    const result = loadConfigText(`${yaml('p')}spring:\n  application: { name: "\${UNSET}" }\n`, {})
    expect(result.ok).toBe(true)
  })
})
