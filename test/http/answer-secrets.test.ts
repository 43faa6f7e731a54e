/**
 * No answer of the product carries a secret, whatever its peers echo: a target answers 500 with
 * the request headers it got (the Basic credentials of its authenticator), UAA answers a refresh
 * with 401 and the form body it got (the password, form-encoded), the Cloud Controller answers 500
 * with the bearer token it got. Every answer — the status page and its JSON, `/discovery`,
 * `/metrics`, each `/singleTargetMetrics`, `/promregatorMetrics` — is scanned for every spelling
 * of every configured secret and of every token the simulated UAA issued.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { proxyAwareFetch } from '../support/proxy-fetch.ts'
import { simConfig } from '../support/sim-config.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { assembleFrom, type Harness } from './harness.ts'

const CF_PASSWORD = 'Cf Pa+ss/wörd%42'
const TARGET_PASSWORD = 'Tar get+Pass/9%'

/** Spellings a secret may take in an answer, written out here independently of the product's list. */
function spellings(secret: string, user?: string): string[] {
  const b64 = (text: string) => Buffer.from(text).toString('base64')
  const forms = [secret, encodeURIComponent(secret), new URLSearchParams({ x: secret }).toString().slice(2), JSON.stringify(secret).slice(1, -1), b64(secret)]
  if (user) forms.push(b64(`${user}:${secret}`))
  return forms
}

/** Answers 500 with everything it was sent: method, URL, headers, body. */
async function echo(request: Request): Promise<Response> {
  // One line, as a JSON error page would be: what is shown of an answer is its first line.
  const { authorization, ...others } = Object.fromEntries(request.headers)
  const echoed = { authorization, body: await request.text(), method: request.method, url: request.url, headers: others }
  return new Response(`echo of ${JSON.stringify(echoed)}`, { status: 500 })
}

describe('answers of the product when peers echo credentials', () => {
  let sim: Simulator
  let app: Harness
  const issuedTokens = new Set<string>()
  /** Which peers echo instead of answering. */
  const echoing = { cc: false, uaa: false }

  beforeAll(async () => {
    sim = await startSimulator(
      oneSpace(
        'acme',
        'dev',
        [
          { name: 'web', instances: 1, routes: [{ host: 'web' }] },
          // The app rejects the authenticator's password and echoes what it got, headers and all.
          { name: 'echoing', instances: 1, routes: [{ host: 'echoing' }], basicAuth: { username: 'metrics', password: 'not-what-we-send' } },
        ],
        { users: [{ username: 'admin', password: CF_PASSWORD }] },
      ),
    )
    // Peers that echo: a fetch in front of the simulator, as a misbehaving proxy or server would.
    const peerFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init)
      const url = new URL(request.url)
      if (echoing.uaa && url.pathname === '/oauth/token') return echo(request)
      if (echoing.cc && url.pathname.startsWith('/v3/')) return echo(request)
      const response = await proxyAwareFetch(input, init)
      if (url.pathname === '/oauth/token' && response.ok) {
        const token = (await response.clone().json()) as { access_token?: string; refresh_token?: string }
        for (const value of [token.access_token, token.refresh_token]) if (value) issuedTokens.add(value)
      }
      if (url.hostname.startsWith('echoing') && response.status === 401) return echo(request)
      return response
    }) as typeof fetch
    app = assembleFrom(
      simConfig(
        sim,
        `  targetAuthenticators:
    - { id: app-basic, type: basic, basic: { username: metrics, password: "${TARGET_PASSWORD}" } }
  targets:
    - { orgName: acme, spaceName: dev, applicationRegex: ".*", protocol: http, authenticatorId: app-basic }`,
      ),
      { fetch: peerFetch },
    )
  })
  afterAll(() => sim?.close())

  /** Every answer a client can get, as text. */
  const allAnswers = async (): Promise<Array<[string, string]>> => {
    const get = async (path: string, accept = 'text/plain;version=0.0.4'): Promise<[string, string]> => {
      const response = await app.app.request(path, { headers: { host: 'promregator.test:8080', accept } })
      return [`${path} (${accept})`, await response.text()]
    }
    const answers = [await get('/discovery', 'application/json'), await get('/metrics'), await get('/promregatorMetrics'), await get('/', 'text/html'), await get('/', 'application/json'), await get('/?part=sections', 'text/html')]
    const groups = JSON.parse(answers[0]![1]) as Array<{ labels: Record<string, string> }>
    for (const group of groups) answers.push(await get(group.labels.__metrics_path__!))
    return answers
  }

  const expectNoSecret = (answers: Array<[string, string]>) => {
    const secrets = [...spellings(CF_PASSWORD, 'admin'), ...spellings(TARGET_PASSWORD, 'metrics'), ...[...issuedTokens].flatMap((t) => spellings(t))]
    for (const [what, body] of answers) for (const secret of secrets) expect(body.includes(secret), `${what} holds ${secret}:\n${body.slice(0, 2000)}`).toBe(false)
  }

  it('shows the echoing target as down with its error excerpt, its credentials redacted', async () => {
    await app.targets.refresh()
    const answers = await allAnswers()
    const status = answers.find(([what]) => what.startsWith('/ (application/json)'))![1]
    expect(status).toContain('[REDACTED]') // the excerpt is shown, cleaned
    expectNoSecret(answers)
  })

  it('shows the Cloud Controller and UAA errors, the echoed token and password redacted', async () => {
    expect(issuedTokens.size).toBeGreaterThan(0)
    const statusOf = (answers: Array<[string, string]>) => answers.find(([what]) => what.startsWith('/ (application/json)'))![1]
    // The Cloud Controller echoes the bearer token.
    echoing.cc = true
    await app.targets.refresh()
    const duringCc = await allAnswers()
    expect(statusOf(duringCc)).toMatch(/500/)
    expectNoSecret(duringCc)
    // The access token expires, and UAA echoes the refresh grant and then the password grant.
    echoing.cc = false
    sim.faults.expireAllTokens()
    echoing.uaa = true
    await app.targets.refresh()
    const duringUaa = await allAnswers()
    expect(statusOf(duringUaa)).toMatch(/500|token/)
    expectNoSecret(duringUaa)
    echoing.uaa = false
  })
})
