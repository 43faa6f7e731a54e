/**
 * The one mark of a secret key: `secret(...)` in the schema gives the paths the environment may
 * set and the configured values the logs and answers redact.
 */
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { configSecrets } from '../../src/assemble.ts'
import { loadConfigText } from '../../src/config/load.ts'
import { secret, secretKeyPaths, secretValues } from '../../src/config/secret-keys.ts'

describe('secretKeyPaths', () => {
  it('finds marked keys through optional, default, union, list and pipe wrappers', () => {
    const entry = z.object({ name: z.string(), token: secret(z.string()).optional(), user: z.string() })
    const schema = z.object({
      one: z.union([entry, z.array(entry)]),
      nested: z.object({ key: secret(z.string().min(1)).describe('a key'), plain: z.string().default('x') }).optional(),
      piped: z.string().transform((s) => s.trim()).pipe(secret(z.string())),
      plain: z.number(),
    })
    expect(secretKeyPaths(schema).sort()).toEqual(['nested.key', 'one.token', 'one[].token', 'piped'])
  })

  it('finds nothing in a schema without marks', () => {
    expect(secretKeyPaths(z.object({ a: z.string(), b: z.array(z.object({ c: z.string() })) }))).toEqual([])
  })
})

describe('secretValues', () => {
  it('collects the values at the paths, entry by entry, skipping absent and empty ones', () => {
    const config = { cf: [{ password: 'p1' }, { password: '' }, { other: 'x' }, { password: 'p1' }], auth: { key: 'k' }, list: 'not-a-list' }
    expect(secretValues(config, ['cf[].password', 'cf.password', 'auth.key', 'list[].x', 'missing.key'])).toEqual(['p1', 'k'])
  })
})

describe('configSecrets', () => {
  it('is every value of a marked key in a whole configuration, and nothing else', () => {
    const result = loadConfigText(
      `cf:
  - { name: eu, api_host: api.eu.example, username: admin-eu, password: pw-eu }
  - { name: us, api_host: api.us.example, client_id: promregator, client_secret: cs-us }
promregator:
  authentication: { basic: { username: prom, password: inbound-pw } }
  authenticator: { type: basic, basic: { username: u, password: global-pw } }
  targetAuthenticators:
    - { id: a, type: OAuth2XSUAABasic, oauth2xsuaaBasic: { tokenServiceURL: "https://uaa.example/oauth/token", client_id: c, client_secret: target-cs } }
    - { id: b, type: basic, basic: { username: v, password: target-pw } }
  targets:
    - { foundation: eu, orgName: o }
    - { foundation: us, orgName: o }
`,
      {},
    )
    if (!result.ok) throw new Error(result.problems.join('\n'))
    expect(configSecrets(result.config).sort()).toEqual(['cs-us', 'global-pw', 'inbound-pw', 'pw-eu', 'target-cs', 'target-pw'])
  })
})
