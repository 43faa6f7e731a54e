/**
 * Secrets from the environment: every variable of ENV_OVERRIDES wins over the file and fills a key
 * the file leaves out; per-entry variables find their entry by name; a variable that cannot apply
 * is reported; and no message ever contains a secret.
 */
import { describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { envNameOf } from '../../src/config/env-names.ts'
import { ENV_OVERRIDES, type EnvOverride } from '../../src/config/env-overrides.ts'
import { loadConfigText, type LoadResult } from '../../src/config/load.ts'
import type { Config } from '../../src/config/schema.ts'

const FILE = 'from-file'
const ENV = 'Env-Secret-7f3a9'

const authenticatorSettings = () => ({
  basic: { username: 'u', password: FILE },
  oauth2xsuaaBasic: { tokenServiceURL: 'https://uaa.example.org/oauth/token', client_id: 'c', client_secret: FILE },
  oauth2xsuaaCertificate: { tokenServiceCertURL: 'https://uaa.example.org/oauth/token', client_id: 'c', client_certificates: 'pem', client_key: FILE },
})

/**
 * Every secret in the file, with the entries that a per-entry variable picks from (named so that the
 * name rule matters). In the single-block form only one platform block can be present (two would
 * each need a name): `cf`, or `heroku` when `herokuBlock` says so.
 */
function document(cfAsList: boolean, herokuBlock = false) {
  const cf = { api_host: 'api.example.org', username: 'u', password: FILE, client_id: 'c', client_secret: FILE }
  return {
    ...(cfAsList ? { cf: [{ name: 'eu-west.1', ...cf }, { name: 'us', ...cf }], heroku: [{ name: 'space-eu.1', token: FILE }, { name: 'space-us', token: FILE }] } : herokuBlock ? { heroku: { token: FILE } } : { cf }),
    promregator: {
      authentication: { basic: { password: FILE } },
      authenticator: { type: 'basic', ...authenticatorSettings() },
      targetAuthenticators: [
        { id: 'shop-auth.v2', type: 'basic', ...authenticatorSettings() },
        { id: 'other', type: 'basic', ...authenticatorSettings() },
      ],
      targets: cfAsList ? [{ foundation: 'us', orgName: 'a' }] : [],
    },
  }
}

/** The entry a per-entry variable is tested on. */
const TESTED_ENTRY: Record<string, string> = { 'cf[]': 'eu-west.1', 'heroku[]': 'space-eu.1', 'targetAuthenticators[]': 'shop-auth.v2' }

/** The variable as an operator sets it, `<NAME>`/`<ID>` spelled for the tested entry. */
function variableOf(override: EnvOverride): string {
  const list = override.path.find((s) => s.endsWith('[]'))
  return list ? override.env.replace(/<\w+>$/, envNameOf(TESTED_ENTRY[list]!)) : override.env
}

/** Follows `path` in a config or a raw document; a `[]` segment picks the tested entry, or with `other` any other one. */
function at(root: unknown, path: string[], other = false): { parent: Record<string, unknown>; key: string } {
  let node = root as Record<string, unknown>
  for (const segment of path.slice(0, -1)) {
    if (segment.endsWith('[]')) {
      const entries = node[segment.slice(0, -2)] as Record<string, unknown>[]
      node = entries.find((e) => (e.name ?? e.id) === TESTED_ENTRY[segment] !== other)!
    } else node = node[segment] as Record<string, unknown>
  }
  return { parent: node, key: path.at(-1)! }
}
const valueAt = (root: unknown, path: string[], other = false) => {
  const { parent, key } = at(root, path, other)
  return parent[key]
}

function load(raw: unknown, env: Record<string, string>): Config {
  const result = loadConfigText(stringify(raw), env)
  if (!result.ok) throw new Error(result.problems.join('\n'))
  expect(result.warnings).toEqual([])
  return result.config
}

describe('environment variables for secrets', () => {
  it('have the documented names, one for each key the schema marks secret', () => {
    expect(ENV_OVERRIDES.map((o) => `${o.env} ${o.path.join('.')}`).sort()).toEqual([
      'CF_PASSWORD cf.password',
      'CF_CLIENT_SECRET cf.client_secret',
      'CF_PASSWORD_<NAME> cf[].password',
      'CF_CLIENT_SECRET_<NAME> cf[].client_secret',
      'HEROKU_API_KEY heroku.token',
      'HEROKU_API_KEY_<NAME> heroku[].token',
      'PROMREGATOR_AUTHENTICATION_BASIC_PASSWORD promregator.authentication.basic.password',
      'PROMREGATOR_AUTHENTICATOR_BASIC_PASSWORD promregator.authenticator.basic.password',
      'PROMREGATOR_AUTHENTICATOR_OAUTH2XSUAABASIC_CLIENT_SECRET promregator.authenticator.oauth2xsuaaBasic.client_secret',
      'PROMREGATOR_AUTHENTICATOR_OAUTH2XSUAACERTIFICATE_CLIENT_KEY promregator.authenticator.oauth2xsuaaCertificate.client_key',
      'PROMREGATOR_TARGETAUTHENTICATORS_BASIC_PASSWORD_<ID> promregator.targetAuthenticators[].basic.password',
      'PROMREGATOR_TARGETAUTHENTICATORS_OAUTH2XSUAABASIC_CLIENT_SECRET_<ID> promregator.targetAuthenticators[].oauth2xsuaaBasic.client_secret',
      'PROMREGATOR_TARGETAUTHENTICATORS_OAUTH2XSUAACERTIFICATE_CLIENT_KEY_<ID> promregator.targetAuthenticators[].oauth2xsuaaCertificate.client_key',
    ].sort())
  })

  it('spell an entry name upper-cased with every other character as _', () => {
    expect(envNameOf('eu-west.1')).toBe('EU_WEST_1')
    expect(envNameOf('shop-auth.v2')).toBe('SHOP_AUTH_V2')
    expect(envNameOf('Mixed_case 9')).toBe('MIXED_CASE_9')
  })

  describe.each(ENV_OVERRIDES.map((o) => [variableOf(o), o] as const))('%s', (variable, override) => {
    const cfAsList = override.path[0] === 'cf[]' || override.path[0] === 'heroku[]'
    const herokuBlock = override.path[0] === 'heroku'
    const raw = () => document(cfAsList, herokuBlock)
    // The single-block variables have no key in the list form, and the other way round; of the two blocks only one is present.
    const inDocument = (o: EnvOverride) =>
      o.path[0]!.endsWith('[]') && o.path[0] !== 'promregator' ? cfAsList : o.path[0] === 'cf' ? !cfAsList && !herokuBlock : o.path[0] === 'heroku' ? herokuBlock : true

    it('wins over the value in the file, and only for its key', () => {
      const config = load(raw(), { [variable]: ENV })
      expect(valueAt(config, override.path)).toBe(ENV)
      if (override.path.some((s) => s.endsWith('[]'))) expect(valueAt(config, override.path, true)).toBe(FILE)
      for (const o of ENV_OVERRIDES.filter((o) => o !== override && inDocument(o))) expect(valueAt(config, o.path), o.env).toBe(FILE)
    })

    it('sets the value when the file has none', () => {
      const file = raw()
      const { parent, key } = at(file, override.path)
      delete parent[key]
      expect(valueAt(load(file, { [variable]: ENV }), override.path)).toBe(ENV)
    })
  })

  it('create the inbound user section when the file has none', () => {
    const config = load({ cf: { api_host: 'api.example.org', username: 'u', password: 'p' } }, { PROMREGATOR_AUTHENTICATION_BASIC_PASSWORD: ENV })
    expect(config.promregator.authentication.basic).toEqual({ username: 'promregator', password: ENV })
  })

  it('count an empty value as unset', () => {
    expect(valueAt(load(document(false), { CF_PASSWORD: '' }), ['cf', 'password'])).toBe(FILE)
  })
})

describe('a variable that cannot apply', () => {
  const cfList = { cf: [{ name: 'eu', api_host: 'a', username: 'u', password: 'p' }, { name: 'us', api_host: 'b', username: 'u', password: 'p' }] }
  const targets = { targets: [{ foundation: 'eu', orgName: 'a' }] }

  it('is a warning when the configuration loads', () => {
    const loaded = loadConfigText(stringify({ ...cfList, promregator: targets }), { CF_PASSWORD: ENV, CF_PASSWORD_ASIA: ENV, PROMREGATOR_AUTHENTICATOR_BASIC_PASSWORD: ENV })
    expect(loaded).toEqual({
      ok: true,
      config: expect.anything(),
      warnings: [
        'CF_PASSWORD is set but `cf` is a list; ignored (each entry takes CF_PASSWORD_<NAME>)',
        'CF_PASSWORD_ASIA is set but no entry of `cf` has that name (variables: CF_PASSWORD_EU, CF_PASSWORD_US); ignored',
        'PROMREGATOR_AUTHENTICATOR_BASIC_PASSWORD is set but the configuration has no `promregator.authenticator` section; ignored',
      ],
    })
  })

  it('does not create the section of an authenticator (its other keys would be missing)', () => {
    const loaded = loadConfigText(stringify({ cf: { api_host: 'a', username: 'u', password: 'p' }, promregator: { authenticator: { type: 'none' } } }), { PROMREGATOR_AUTHENTICATOR_BASIC_PASSWORD: ENV })
    expect(loaded.ok && loaded.warnings).toEqual(['PROMREGATOR_AUTHENTICATOR_BASIC_PASSWORD is set but the configuration has no `promregator.authenticator.basic` section; ignored'])
  })

  it('goes along with the problems when the configuration does not load, as the likely cause', () => {
    const { password: _, ...withoutPassword } = cfList.cf[0]!
    const loaded = loadConfigText(stringify({ cf: [withoutPassword, cfList.cf[1]], promregator: targets }), { CF_PASSWORD: ENV })
    expect(loaded).toEqual({
      ok: false,
      problems: [
        'cf[0]: credentials required: `username` and `password` (password grant) or `client_id` and `client_secret` (client credentials)',
        'CF_PASSWORD is set but `cf` is a list; ignored (each entry takes CF_PASSWORD_<NAME>)',
      ],
    })
  })

  it('is a problem when it fits two entries', () => {
    const cf = [{ ...cfList.cf[0], name: 'eu-1' }, { ...cfList.cf[1], name: 'eu.1' }]
    const loaded = loadConfigText(stringify({ cf, promregator: { targets: [{ foundation: 'eu-1', orgName: 'a' }] } }), { CF_PASSWORD_EU_1: ENV })
    expect(loaded).toEqual({ ok: false, problems: ["CF_PASSWORD_EU_1 is ambiguous: it fits the names 'eu-1' and 'eu.1' of `cf`; rename one"] })
    expect(loadConfigText(stringify({ cf, promregator: { targets: [{ foundation: 'eu-1', orgName: 'a' }] } }), { CF_PASSWORD_US: ENV }).ok).toBe(true)
  })
})

describe('messages', () => {
  const messages = (result: LoadResult) => (result.ok ? result.warnings : result.problems).join('\n')

  it('never contain a secret from the environment', () => {
    const env = Object.fromEntries(ENV_OVERRIDES.map((o) => [variableOf(o), ENV]))
    const broken = [
      // other keys wrong, every variable applied
      { ...document(false), server: { port: 'x' } },
      { ...document(true), promregator: { ...document(true).promregator, targets: [{ foundation: 'asia' }] } },
      // every variable set, some ignored
      { cf: { api_host: 'a' } },
      { cf: [{ name: 'eu-west-1', api_host: 'a' }, { name: 'eu-west.1', api_host: 'b' }] },
    ]
    for (const raw of broken) {
      const result = loadConfigText(stringify(raw), { ...env, CF_PASSWORD_ASIA: ENV })
      expect(messages(result).length).toBeGreaterThan(0)
      expect(messages(result)).not.toContain(ENV)
    }
  })

  it('do not echo a secret of the file that has the wrong type', () => {
    const result = loadConfigText('cf: { api_host: a, username: u, password: 918273645 }\npromregator: { authenticator: { type: basic, basic: { username: u, password: [x] } } }\n')
    expect(result).toEqual({
      ok: false,
      problems: ['cf.password: expected a string, got a number', 'promregator.authenticator.basic.password: expected a string, got an array'],
    })
    // other keys still show the value they got
    expect(loadConfigText('cf: { api_host: 5, username: u, password: p }\n')).toEqual({ ok: false, problems: ['cf.api_host: expected a string, got number 5'] })
  })
})
