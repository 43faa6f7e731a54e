/**
 * The scrape bounds as configured, through the assembled pipeline: `threads` caps the scrapes in
 * flight for one `/metrics`, `maxRedirects` ends a redirect chain, `maxResponseSize` ends an
 * endless body (the server sees the connection dropped), and a gzip body is accepted.
 */
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { proxyAwareFetch } from '../support/proxy-fetch.ts'
import { cfYaml } from '../support/sim-config.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { assembleFromYaml, collectingLogger, get, upByInstance, type LogLine } from './pipeline-support.ts'
import { METRICS_BODY, startServer, TEXT_TYPE, writeForever, type TestServer } from './servers.ts'

let sim: Simulator
let up: Record<string, number>
let logs: LogLine[]
let maxInFlight = 0
const servers: Record<string, TestServer> = {}

beforeAll(async () => {
  let inFlight = 0
  const waiting: Array<() => void> = []
  servers.held = await startServer((_req, res) => {
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    waiting.push(() => {
      inFlight--
      res.writeHead(200, { 'content-type': TEXT_TYPE }).end(METRICS_BODY)
    })
    // answer as soon as a third scrape would be in flight, or shortly when none can come
    if (waiting.length >= 3) waiting.splice(0).forEach((answer) => answer())
    else setTimeout(() => waiting.splice(0).forEach((answer) => answer()), 150)
  })
  servers.redirecting = await startServer((req, res) => res.writeHead(302, { location: `${req.url}x` }).end())
  servers.endless = await startServer((_req, res, count) => {
    res.writeHead(200, { 'content-type': TEXT_TYPE })
    writeForever(res, Buffer.alloc(8192, 35), count)
  })
  servers.gzip = await startServer((_req, res) => res.writeHead(200, { 'content-type': TEXT_TYPE, 'content-encoding': 'gzip' }).end(gzipSync(METRICS_BODY)))

  sim = await startSimulator(
    oneSpace('org', 'dev', [
      { name: 'held', instances: 6, routes: [{ host: 'held' }] },
      { name: 'redirecting', instances: 1, routes: [{ host: 'redirecting' }] },
      { name: 'endless', instances: 1, routes: [{ host: 'endless' }] },
      { name: 'gzip', instances: 1, routes: [{ host: 'gzip' }] },
    ]),
  )
  const target = (name: string) => `    - { orgName: org, spaceName: dev, applicationName: ${name}, protocol: http, overrideRouteAndPath: "127.0.0.1:${servers[name]!.port}" }`
  const logger = collectingLogger()
  logs = logger.lines
  const pipeline = assembleFromYaml(
    `
${cfYaml(sim)}promregator:
  scraping: { threads: 2, maxRedirects: 2, maxResponseSize: 262144 }
  targets:
${['held', 'redirecting', 'endless', 'gzip'].map(target).join('\n')}
`,
    { fetch: proxyAwareFetch, logger },
  )
  up = upByInstance((await get(pipeline, '/metrics')).body)
})
afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()))
  await sim?.close()
})

describe('configured bounds in /metrics', () => {
  it('runs at most `threads` scrapes at once', () => {
    expect(servers.held!.requests).toHaveLength(6)
    expect(maxInFlight).toBe(2)
    for (let i = 0; i < 6; i++) expect(up[`held/${i}`]).toBe(1)
  })

  it('follows at most maxRedirects redirects', () => {
    expect(up['redirecting/0']).toBe(0)
    expect(servers.redirecting!.requests.map((r) => r.path)).toEqual(['/metrics', '/metricsx', '/metricsxx'])
    expect(logs.find((l) => l.fields.app === 'redirecting')?.fields.reason).toBe('redirects')
  })

  it('drops an endless body at maxResponseSize', async () => {
    expect(up['endless/0']).toBe(0)
    const line = logs.find((l) => l.fields.app === 'endless')
    expect(line?.fields.reason).toBe('body_too_large')
    await servers.endless!.closed(0)
  })

  it('accepts a gzip body', () => {
    expect(up['gzip/0']).toBe(1)
  })
})
