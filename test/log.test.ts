/**
 * The logger: one line per event in both formats, levels, and redaction of configured secrets,
 * secrets learned at run time, and credentials recognisable by their shape, also when they sit
 * inside the error message of a dependency.
 */
import { describe, expect, it } from 'vitest'
import { createLogger, redact } from '../src/log.ts'
import { secretCapturingFetch } from '../src/net/secret-capture.ts'
import { SecretRegistry, secretForms } from '../src/secrets.ts'

function collect(options: Parameters<typeof createLogger>[0] = {}) {
  const lines: string[] = []
  const logger = createLogger({ now: () => new Date(0), write: (l) => lines.push(l), ...options })
  return { logger, lines }
}

describe('logger', () => {
  it('writes one logfmt line per event, quoting values with blanks, quotes and newlines', () => {
    const { logger, lines } = collect()
    logger.info('scrape failed', { app: 'we"ird\nname', n: 3, ok: true })
    expect(lines).toEqual(['time=1970-01-01T00:00:00.000Z level=info msg="scrape failed" app="we\\"ird\\nname" n=3 ok=true'])
  })

  it('writes JSON lines when asked, errors as their message', () => {
    const { logger, lines } = collect({ format: 'json' })
    logger.error('boom', { error: new Error('multi\nline') })
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toEqual({ time: '1970-01-01T00:00:00.000Z', level: 'error', msg: 'boom', error: 'multi\nline' })
  })

  it('drops events below the level', () => {
    const { logger, lines } = collect({ level: 'warn' })
    logger.debug('a')
    logger.info('b')
    logger.warn('c')
    logger.error('d')
    expect(lines.map((l) => /msg=(\w)/.exec(l)?.[1])).toEqual(['c', 'd'])
  })

  it('redacts secrets learned after the logger was made, in fields and inside messages', () => {
    const secrets = new SecretRegistry(['cf-Pa55word'])
    const { logger, lines } = collect({ secrets: () => secrets.forms() })
    secrets.add('eyJhbGciOi.runtime.token')
    logger.error('UAA refused: invalid password cf-Pa55word', { error: new Error('request with eyJhbGciOi.runtime.token failed'), url: 'http://x/?p=cf-Pa55word' })
    expect(lines[0]).not.toContain('cf-Pa55word')
    expect(lines[0]).not.toContain('eyJhbGciOi.runtime.token')
    expect(lines[0]).toContain('[REDACTED]')
  })

  it('redacts secrets in their JSON-escaped and URL-encoded forms', () => {
    const secret = 'p"a\\ss w&rd'
    for (const format of ['json', 'logfmt'] as const) {
      const { logger, lines } = collect({ format, secrets: () => secretForms(secret) })
      logger.info('x', { a: secret, b: `?password=${encodeURIComponent(secret)}` })
      expect(lines[0]).not.toContain(JSON.stringify(secret).slice(1, -1))
      expect(lines[0]).not.toContain(encodeURIComponent(secret))
    }
  })
})

describe('redact with a registry', () => {
  it('removes every spelling of a secret: as a form body echoes it, lower-case hex, base64', () => {
    const password = 'p@ss w+rd/100%:ü'
    const secrets = new SecretRegistry([password])
    const echoed = [
      // What UAA (or a proxy) echoes of a password grant: application/x-www-form-urlencoded.
      `grant_type=password&username=admin&${new URLSearchParams({ password })}`,
      `password=${encodeURIComponent(password)}`,
      `password=${encodeURIComponent(password).toLowerCase()}`,
      `password=${new URLSearchParams({ password }).toString().slice(9).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())}`,
      JSON.stringify({ password }),
      `x-password: ${btoa(String.fromCharCode(...new TextEncoder().encode(password)))}`,
    ]
    for (const line of echoed) {
      const out = redact(line, secrets.forms())
      expect(out, line).toContain('[REDACTED]')
      for (const form of secretForms(password)) expect(out, line).not.toContain(form)
    }
    expect(redact('grant_type=password&username=admin', secrets.forms())).toBe('grant_type=password&username=admin')
  })

  it('works each spelling out once, when the value is added, and forgets it with the value', () => {
    const secrets = new SecretRegistry([], 1)
    secrets.add('token one')
    expect([...secrets.forms()]).toContain('token+one')
    secrets.add('token-two')
    expect([...secrets.forms()]).not.toContain('token+one')
  })
})

describe('redact', () => {
  it('removes bearer and basic credentials and URL passwords nobody registered', () => {
    expect(redact('Authorization: Bearer abc.DEF-123_xyz', [])).toBe('Authorization: Bearer [REDACTED]')
    expect(redact('authorization=basic dXNlcjpwYXNzd29yZA==', [])).toBe('authorization=basic [REDACTED]')
    expect(redact('fetch http://admin:hunter2@cc.example/v3 failed', [])).toBe('fetch http://admin:[REDACTED]@cc.example/v3 failed')
  })

  it('leaves prose alone', () => {
    expect(redact('authenticator type basic authentication is configured', [])).toBe('authenticator type basic authentication is configured')
    expect(redact('the bearer token expired', [])).toBe('the bearer token expired')
  })
})

describe('SecretRegistry', () => {
  it('learns the credentials of Authorization headers, decoding Basic', () => {
    const secrets = new SecretRegistry()
    secrets.addAuthorization('Basic ' + btoa('metrics:t0p-secret'))
    secrets.addAuthorization('bearer eyJ.abc.def')
    const all = [...secrets.all()]
    expect(all).toContain(btoa('metrics:t0p-secret'))
    expect(all).toContain('t0p-secret')
    expect(all).toContain('eyJ.abc.def')
  })

  it('forgets the oldest learned value beyond its bound, never a configured one', () => {
    const secrets = new SecretRegistry(['configured'], 2)
    for (const t of ['token-1', 'token-2', 'token-3']) secrets.add(t)
    expect([...secrets.all()].sort()).toEqual(['configured', 'token-2', 'token-3'])
  })

  it('is fed by the capturing fetch: headers and form fields sent, tokens received', async () => {
    const secrets = new SecretRegistry()
    const inner = (async () => new Response(JSON.stringify({ access_token: 'access-AAAA', refresh_token: 'refresh-BBBB', token_type: 'bearer' }), { headers: { 'content-type': 'application/json;charset=UTF-8' } })) as unknown as typeof fetch
    const wrapped = secretCapturingFetch(inner, secrets)
    const res = await wrapped('http://uaa.example/oauth/token', {
      method: 'POST',
      headers: { authorization: 'Basic ' + btoa('client:client-SECRET') },
      body: new URLSearchParams({ grant_type: 'password', username: 'u', password: 'user-PASSWORD' }),
    })
    expect(((await res.json()) as { access_token: string }).access_token).toBe('access-AAAA') // the body is still readable
    await wrapped('http://cc.example/v3/apps', { headers: { Authorization: 'bearer access-CCCC' } })
    // Every way of giving headers: a Headers object, pairs, a Request.
    await wrapped('http://app.example/metrics', { headers: new Headers({ authorization: 'Bearer from-HEADERS' }) })
    await wrapped('http://app.example/metrics', { headers: [['Authorization', 'Bearer from-PAIRS']] })
    await wrapped(new Request('http://app.example/metrics', { headers: { authorization: 'Bearer from-REQUEST' } }))
    expect([...secrets.all()]).toEqual(
      expect.arrayContaining(['client-SECRET', 'user-PASSWORD', 'access-AAAA', 'refresh-BBBB', 'access-CCCC', 'from-HEADERS', 'from-PAIRS', 'from-REQUEST']),
    )
  })
})
