/**
 * A full run of the real process (`bun src/main.ts`) with every kind of secret configured — the
 * Cloud Foundry password, the inbound Basic password, a target authenticator's password — and
 * with tokens issued at run time, exercised through successes and failures (wrong credentials,
 * a 401 from an app, Cloud Controller errors, revoked tokens), at debug level in both log
 * formats. Its whole output must hold none of those secrets in any encoding.
 */
import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { missing } from '../support/requirements.ts'
import { simConfig } from '../support/sim-config.ts'
import { BUN } from '../support/sim-process.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { proxyAwareFetch } from '../support/proxy-fetch.ts'
import { assembleFrom, basic } from './harness.ts'
import { startPromregator } from './promregator-process.ts'

const CF_PASSWORD = 'Cf-Secret-Pass-123'
const INBOUND_PASSWORD = 'Inbound-Secret-456'
const TARGET_PASSWORD = 'Target-Secret-789'
const OTHER_APP_PASSWORD = 'Other-Secret-000'
const GUESSED_PASSWORD = 'Wrong-Guess-Pass-999'

let sim: Simulator | undefined
const skip = missing([{ name: 'bun', present: existsSync(BUN), hint: 'npm install (the bun package)' }])

beforeAll(async () => {
  const users = [{ username: 'admin', password: CF_PASSWORD }]
  sim = await startSimulator(
    oneSpace('acme', 'dev', [
      { name: 'web', instances: 2, instanceStates: ['RUNNING', 'CRASHED'], routes: [{ host: 'web' }] },
      { name: 'secured', instances: 1, routes: [{ host: 'secured' }], basicAuth: { username: 'metrics', password: TARGET_PASSWORD } },
      { name: 'other', instances: 1, routes: [{ host: 'other' }], basicAuth: { username: 'metrics', password: OTHER_APP_PASSWORD } },
    ], { users }),
  )
})
afterAll(() => sim?.close())

/** Every form a secret could take in a log line. */
function forms(secret: string): string[] {
  return [secret, encodeURIComponent(secret), Buffer.from(`metrics:${secret}`).toString('base64'), Buffer.from(`admin:${secret}`).toString('base64'), Buffer.from(`promregator:${secret}`).toString('base64')]
}

describe.skipIf(skip)('log output of a full run', () => {
  for (const format of ['logfmt', 'json'] as const) {
    it(`holds no secret (${format})`, async () => {
      const s = sim!
      const yaml = simConfig(
        s,
        `  log: { level: debug, format: ${format} }
  authentication:
    basic: { username: promregator, password: ${INBOUND_PASSWORD} }
  discovery: { auth: BASIC }
  endpoint: { auth: BASIC }
  metrics: { auth: BASIC }
  cache: { invalidate: { auth: BASIC } }
  targetAuthenticators:
    - { id: metrics-basic, type: basic, basic: { username: metrics, password: ${TARGET_PASSWORD} } }
  targets:
    - { orgName: acme, spaceName: dev, applicationName: web, protocol: http }
    - { orgName: acme, spaceName: dev, applicationRegex: "secured|other", protocol: http, authenticatorId: metrics-basic }`,
      )
      const run = await startPromregator(yaml)
      try {
        const base = `http://127.0.0.1:${run.port}`
        const good = { authorization: basic('promregator', INBOUND_PASSWORD) }
        const get = (path: string, headers: Record<string, string> = good) => fetch(`${base}${path}`, { headers }).then(async (r) => ({ status: r.status, body: await r.text() }))

        expect((await get('/discovery', { authorization: basic('promregator', GUESSED_PASSWORD) })).status).toBe(401)
        expect((await get('/discovery', { authorization: `Bearer ${GUESSED_PASSWORD}` })).status).toBe(401)
        const discovery = JSON.parse((await get('/discovery')).body) as Array<{ labels: Record<string, string> }>
        const paths = discovery.map((g) => g.labels.__metrics_path__!).filter((p) => p.startsWith('/singleTargetMetrics/'))
        expect(paths).toHaveLength(4)
        for (const path of paths) expect((await get(path)).status).toBe(200)
        expect((await get('/metrics')).body).toMatch(/promregator_up\{[^}]*app_name="other"[^}]*\} 0/) // the app refused our password
        // Under Bun as under Node, hono/compress gzips for a client that accepts it (as Prometheus does).
        const zipped = await fetch(`${base}/metrics`, { headers: { ...good, 'accept-encoding': 'gzip' } })
        expect(zipped.headers.get('content-encoding')).toBe('gzip')
        expect(await zipped.text()).toMatch(/^promregator_up\{/m)
        // Tokens go bad and the Cloud Controller fails: re-login and error paths get logged.
        s.faults.revokeAllTokens()
        expect((await get('/cache/invalidate')).status).toBe(204)
        await run.waitFor(/discovery refreshed[\s\S]*discovery refreshed/)
        s.faults.failNext(20, { status: 503 })
        expect((await get('/cache/invalidate')).status).toBe(204)
        await run.waitFor(/discovery failed/)
        s.faults.reset()
        expect((await get('/')).status).toBe(200)
        expect((await get('/promregatorMetrics')).status).toBe(200)
      } finally {
        await run.stop()
      }
      const output = run.output()
      // The run did log what happened, including failures, at debug level.
      expect(output).toMatch(/discovery refreshed/)
      expect(output).toMatch(/scrape failed/)
      expect(output).toMatch(/discovery failed/)
      for (const secret of [CF_PASSWORD, INBOUND_PASSWORD, TARGET_PASSWORD, OTHER_APP_PASSWORD, GUESSED_PASSWORD]) {
        for (const form of forms(secret)) expect(output, `secret ${secret} as ${form}`).not.toContain(form)
      }
      // UAA tokens (JWTs issued at run time) never appear either.
      expect(output).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}/)
      for (const line of output.trim().split('\n')) {
        if (format === 'json') expect(() => JSON.parse(line), line).not.toThrow()
        else expect(line).toMatch(/^time=\S+ level=(debug|info|warn|error) msg=/)
      }
    }, 60_000)
  }
})

describe('secrets inside error messages of dependencies', () => {
  it('are redacted, also tokens that exist only at run time', async () => {
    const s = sim!
    const seen: string[] = []
    // A dependency that echoes request details (headers included) into its error messages.
    const echoing = (async (input: string | URL | Request, init?: RequestInit & { proxy?: string }) => {
      const url = String(input instanceof Request ? input.url : input)
      const authorization = new Headers(init?.headers).get('authorization') ?? ''
      if (/\/v3\/spaces/.test(url) || /secured/.test(url)) {
        seen.push(authorization)
        throw new Error(`socket hang up sending GET ${url} for token=${authorization.replace(/^\S+\s+/, '')}`)
      }
      return proxyAwareFetch(input, init)
    }) as typeof fetch
    for (const format of ['logfmt', 'json'] as const) {
      const h = assembleFrom(
        simConfig(
          s,
          `  targetAuthenticators:
    - { id: metrics-basic, type: basic, basic: { username: metrics, password: ${TARGET_PASSWORD} } }
  targets:
    - { orgName: acme, spaceName: dev, applicationName: web, protocol: http }
    - { orgName: acme, spaceName: dev, applicationName: secured, protocol: http, authenticatorId: metrics-basic }`,
        ),
        { format, fetch: echoing },
      )
      try {
        await h.targets.refresh() // fails: the spaces request "hangs up" with the bearer token in its message
        expect(h.targets.status().lastError).toBeDefined()
        s.faults.reset()
      } finally {
        h.stop()
      }
      const bearer = seen.find((a) => /^bearer /i.test(a))!.replace(/^bearer /i, '')
      expect(bearer).toMatch(/^eyJ/)
      const output = h.lines.join('\n')
      expect(output).toMatch(/discovery failed/)
      expect(output).toContain('[REDACTED]')
      expect(output).not.toContain(bearer)
      expect(output).not.toContain(CF_PASSWORD)
    }
  })

  it('redacts a target password echoed by a failing scrape', async () => {
    const s = sim!
    const echoing = (async (input: string | URL | Request, init?: RequestInit & { proxy?: string }) => {
      const headers = new Headers(init?.headers)
      if (headers.get('x-cf-app-instance')?.startsWith(s.app('secured').guid)) throw new Error(`connect failed; request had authorization: ${headers.get('authorization')} (decoded metrics:${TARGET_PASSWORD})`)
      return proxyAwareFetch(input, init)
    }) as typeof fetch
    const h = assembleFrom(
      simConfig(
        s,
        `  targetAuthenticators:
    - { id: metrics-basic, type: basic, basic: { username: metrics, password: ${TARGET_PASSWORD} } }
  targets:
    - { orgName: acme, spaceName: dev, applicationName: secured, protocol: http, authenticatorId: metrics-basic }`,
      ),
      { fetch: echoing },
    )
    try {
      const res = await h.app.request(`/singleTargetMetrics/${s.app('secured').guid}/0`)
      expect(await res.text()).toMatch(/^promregator_up 0$/m)
    } finally {
      h.stop()
    }
    const output = h.lines.join('\n')
    expect(output).toMatch(/scrape failed/)
    for (const form of forms(TARGET_PASSWORD)) expect(output).not.toContain(form)
  })
})
