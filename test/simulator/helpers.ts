/**
 * @module test/simulator/helpers
 * Small clients for the simulator tests: token fetching, authenticated CC GETs, and raw
 * node:http requests (absolute-form proxy requests and Host-header requests, which fetch cannot send).
 */
import { request } from 'node:http'
import type { Simulator } from '../support/simulator/index.ts'

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** Sends one request with node:http to 127.0.0.1:`port`, `path` may be absolute-form. */
export function rawRequest(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/** Port of a `http://127.0.0.1:<port>` URL. */
export function portOf(url: string): number {
  return Number(new URL(url).port)
}

/** Password-grant token through the real token endpoint. */
export async function passwordToken(sim: Simulator): Promise<string> {
  const res = await fetch(`${sim.uaaUrl}/oauth/token`, {
    method: 'POST',
    headers: { Authorization: 'Basic Y2Y6', 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'password', username: sim.credentials.username, password: sim.credentials.password }),
  })
  if (res.status !== 200) throw new Error(`token request failed: ${res.status}`)
  return ((await res.json()) as { access_token: string }).access_token
}

/** Authenticated GET against the Cloud Controller; `path` may be absolute (a pagination href). */
export async function ccGet(sim: Simulator, path: string, token?: string): Promise<{ status: number; body: any; headers: Headers }> {
  const url = path.startsWith('http') ? path : `${sim.apiUrl}${path}`
  const res = await fetch(url, { headers: { Authorization: `bearer ${token ?? sim.issueToken()}` } })
  const text = await res.text()
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers }
}

/** Follows `pagination.next.href` to the end and returns every resource plus the number of pages. */
export async function walkPages(sim: Simulator, path: string): Promise<{ resources: any[]; pages: number }> {
  const token = sim.issueToken()
  const resources: any[] = []
  let next: string | null = path
  let pages = 0
  while (next) {
    const page = await ccGet(sim, next, token)
    if (page.status !== 200) throw new Error(`page ${next} answered ${page.status}`)
    resources.push(...page.body.resources)
    next = page.body.pagination.next?.href ?? null
    pages++
  }
  return { resources, pages }
}
