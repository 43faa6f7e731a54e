/**
 * Several YAML documents in one file and Spring profiles, as the Java original read them.
 */
import { describe, expect, it } from 'vitest'
import { loadConfigText } from '../../src/config/load.ts'

const FILE = `cf:
  api_host: api.example.org
  username: u
  password: p
promregator:
  defaultInternalRoutePort: 8081
  targets: [{ orgName: base }]
---
spring:
  config:
    activate:
      on-profile: prod
promregator:
  targets: [{ orgName: prod-org }, { orgName: prod-org-2 }]
---
spring.profiles: dev, test
cf:
  api_host: api.dev.example.org
`

describe('several documents and profiles', () => {
  it('applies only the documents without a profile when none is active', () => {
    const result = loadConfigText(FILE, {})
    if (!result.ok) throw new Error(result.problems.join('\n'))
    expect(result.config.promregator.targets.map((t) => t.orgName)).toEqual(['base'])
    expect(result.warnings).toContain('3 documents in the file; active profiles: none')
  })

  it('merges the documents of the active profiles in order: mappings key by key, lists replaced whole', () => {
    const result = loadConfigText(FILE, { SPRING_PROFILES_ACTIVE: 'prod,dev' })
    if (!result.ok) throw new Error(result.problems.join('\n'))
    expect(result.config.promregator.targets.map((t) => t.orgName)).toEqual(['prod-org', 'prod-org-2'])
    expect(result.config.promregator.defaultInternalRoutePort).toBe(8081)
    expect(result.config.cf).toMatchObject({ api_host: 'api.dev.example.org', username: 'u' })
  })

  it('reads spring.profiles.active from a document that applies to all', () => {
    const result = loadConfigText(`spring: { profiles: { active: prod } }\n${FILE}`, {})
    expect(result.ok && result.config.promregator.targets.map((t) => t.orgName)).toEqual(['prod-org', 'prod-org-2'])
  })

  it('says which documents were skipped', () => {
    const result = loadConfigText(FILE, { SPRING_PROFILES_ACTIVE: 'test' })
    expect(result.ok && result.warnings).toContain('document 2 of the file is for profile prod, not active; skipped')
  })
})
