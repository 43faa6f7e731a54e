/**
 * The scraper against real, misbehaving servers: every failure kind gets its own reason, bodies
 * end at the configured bounds (asserted by the bytes the scraper saw and the server wrote),
 * gzip is accepted, redirects are followed within limits, and 401 buys exactly one retry.
 */
import type { Socket } from 'node:net'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { basicAuthenticator, noAuthenticator } from '../../src/scrape/auth/basic.ts'
import type { Authenticator, ScrapeResult } from '../../src/scrape/types.ts'
import { limitConcurrency } from '../../src/scrape/limits.ts'
import { createScraper, SCRAPE_ACCEPT, type ScraperOptions } from '../../src/scrape/scraper.ts'
import { generatePki, pkiUnavailable } from '../support/certificates.ts'
import { freePort } from '../support/e2e.ts'
import { METRICS_BODY, startServer, targetAt, TEXT_TYPE, trickle, writeForever, type TestServer } from './servers.ts'

const MiB = 1024 * 1024

function scraperWith(overrides: Partial<ScraperOptions> = {}) {
  return createScraper({
    fetch: globalThis.fetch,
    connectionTimeoutMs: 5000,
    socketReadTimeoutMs: 5000,
    maxProcessingTimeMs: 10_000,
    // The configuration's defaults (promregator.scraping.maxResponseSize, maxRedirects).
    maxBodyBytes: 16 * MiB,
    maxRedirects: 5,
    instanceId: 'instance-under-test',
    authenticatorFor: () => noAuthenticator,
    ...overrides,
  })
}

function failed(result: ScrapeResult) {
  if (result.ok) throw new Error(`expected a failure, got a body of ${result.bytes} bytes`)
  return result
}

const servers: TestServer[] = []
async function serve(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const server = await startServer(...args)
  servers.push(server)
  return server
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
})

describe('a good target', () => {
  it('answers the body, its format and size, and sees our headers', async () => {
    const server = await serve((_req, res) => res.writeHead(200, { 'content-type': TEXT_TYPE }).end(METRICS_BODY))
    const result = await scraperWith().scrape(targetAt(`${server.url}/metrics`, { headers: { 'X-CF-APP-INSTANCE': 'abc:0' } }))
    expect(result).toMatchObject({ ok: true, body: METRICS_BODY, format: 'text', bytes: METRICS_BODY.length })
    const seen = server.requests[0]!.headers
    expect(seen['x-promregator-instance']).toBe('instance-under-test')
    expect(seen['x-cf-app-instance']).toBe('abc:0')
    expect(seen.accept).toBe(SCRAPE_ACCEPT)
  })

  it('accepts a gzip-encoded body', async () => {
    const server = await serve((req, res) => {
      expect(req.headers['accept-encoding']).toContain('gzip')
      res.writeHead(200, { 'content-type': TEXT_TYPE, 'content-encoding': 'gzip' }).end(gzipSync(METRICS_BODY))
    })
    expect(await scraperWith().scrape(targetAt(`${server.url}/metrics`))).toMatchObject({ ok: true, body: METRICS_BODY })
  })

  it('reads OpenMetrics', async () => {
    const body = '# TYPE a gauge\na 1\n# EOF\n'
    const server = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' }).end(body))
    expect(await scraperWith().scrape(targetAt(`${server.url}/metrics`))).toMatchObject({ ok: true, format: 'openmetrics', body })
  })
})

describe('protobuf, for a scraper that asked for it', () => {
  const PROTOBUF = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited'
  const bytes = Uint8Array.of(0x03, 0x0a, 0x01, 0x61)
  const accept = `${PROTOBUF.replaceAll(' ', '')},text/plain;version=0.0.4;q=0.5`

  it('sends the given Accept and keeps a protobuf answer as bytes (gzip too), with its Content-Type', async () => {
    const server = await serve((req, res) => res.writeHead(200, { 'content-type': PROTOBUF, 'content-encoding': 'gzip' }).end(gzipSync(bytes)))
    const result = await scraperWith().scrape(targetAt(`${server.url}/metrics`), undefined, { accept })
    expect(result).toMatchObject({ ok: true, format: 'protobuf', contentType: PROTOBUF, bytes: 4 })
    expect(result.ok && [...(result.body as Uint8Array)]).toEqual([...bytes])
    expect(server.requests[0]!.headers.accept).toBe(accept)
  })

  it('fails a protobuf answer to the default Accept as an unsupported content type', async () => {
    const server = await serve((_req, res) => res.writeHead(200, { 'content-type': PROTOBUF }).end(bytes))
    expect(await scraperWith().scrape(targetAt(`${server.url}/metrics`))).toMatchObject({ ok: false, reason: 'content_type' })
  })
})

describe('failures told apart', () => {
  it('names a DNS failure', async () => {
    const result = failed(await scraperWith().scrape(targetAt('http://no-such-instance.promregator-test.invalid/metrics')))
    expect(result.reason).toBe('dns')
  })

  it('names a refused connection', async () => {
    const port = await freePort()
    expect(failed(await scraperWith().scrape(targetAt(`http://127.0.0.1:${port}/metrics`))).reason).toBe('connection_refused')
  })

  it('names a TLS failure (certificate nobody trusts)', async ({ skip }) => {
    if (pkiUnavailable()) return skip()
    const { selfSignedServer } = generatePki()
    const server = await serve((_req, res) => res.writeHead(200, { 'content-type': TEXT_TYPE }).end(METRICS_BODY), selfSignedServer)
    const result = failed(await scraperWith().scrape(targetAt(`${server.url}/metrics`)))
    expect(result.reason).toBe('tls')
    expect(server.requests).toHaveLength(0)
  })

  it.each([
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'http_status'],
    [500, 'http_status'],
    [508, 'loop'],
  ])('names HTTP %i as %s', async (status, reason) => {
    const server = await serve((_req, res) => res.writeHead(status, { 'content-type': 'text/plain' }).end('no\n'))
    expect(failed(await scraperWith().scrape(targetAt(`${server.url}/metrics`)))).toMatchObject({ reason, status })
  })

  it("names the router's unknown_route (instance gone)", async () => {
    const server = await serve((_req, res) => res.writeHead(400, { 'x-cf-routererror': 'unknown_route' }).end("400 Bad Request: Requested instance ('1') does not exist\n"))
    const result = failed(await scraperWith().scrape(targetAt(`${server.url}/metrics`)))
    expect(result).toMatchObject({ reason: 'unknown_route', status: 400 })
    expect(result.message).toContain('does not exist')
  })

  it('names an unsupported content type without reading the body', async () => {
    const server = await serve((_req, res, count) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      writeForever(res, Buffer.alloc(64 * 1024, 60), count)
    })
    const result = failed(await scraperWith().scrape(targetAt(`${server.url}/metrics`)))
    expect(result).toMatchObject({ reason: 'content_type', bytes: 0 })
    await server.closed(0)
  })

  it('names an authenticator that cannot deliver credentials', async () => {
    const server = await serve((_req, res) => res.writeHead(200, { 'content-type': TEXT_TYPE }).end(METRICS_BODY))
    const broken: Authenticator = { headers: () => Promise.reject(new Error('token service down')), secrets: [] }
    const result = failed(await scraperWith({ authenticatorFor: () => broken }).scrape(targetAt(`${server.url}/metrics`)))
    expect(result.reason).toBe('auth')
    expect(result.message).toContain('token service down')
    expect(server.requests).toHaveLength(0)
  })
})

describe('bounded memory and time', () => {
  it('drops an endless body at maxBodyBytes and closes the connection', async () => {
    const server = await serve((_req, res, count) => {
      res.writeHead(200, { 'content-type': TEXT_TYPE })
      writeForever(res, Buffer.alloc(16 * 1024, 35), count)
    })
    const result = failed(await scraperWith({ maxBodyBytes: MiB }).scrape(targetAt(`${server.url}/metrics`)))
    expect(result.reason).toBe('body_too_large')
    expect(result.bytes).toBeGreaterThan(MiB)
    expect(result.bytes).toBeLessThan(MiB + 256 * 1024) // one read past the limit, not the whole stream
    await server.closed(0) // the server noticed: the stream was dropped, not drained
  })

  it('stops a gzip bomb of declared length too, when only the deadline bounds the read', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * MiB, 35))
    const server = await serve((_req, res) =>
      res.writeHead(200, { 'content-type': TEXT_TYPE, 'content-encoding': 'gzip', 'content-length': String(bomb.length) }).end(bomb),
    )
    const result = failed(await scraperWith({ maxBodyBytes: MiB, socketReadTimeoutMs: 5000, maxProcessingTimeMs: 5000 }).scrape(targetAt(`${server.url}/metrics`)))
    expect(result.reason).toBe('body_too_large')
    expect(result.bytes).toBeLessThan(2 * MiB)
  })

  it('reads a small gzip body of declared length whole, counting its bytes after decompression', async () => {
    const text = `# HELP price_euro Price in € (“gross”) 😀.\n# TYPE price_euro gauge\n${'price_euro{c="ü"} 1\n'.repeat(50)}`
    const zipped = gzipSync(Buffer.from(text))
    const server = await serve((_req, res) =>
      res.writeHead(200, { 'content-type': TEXT_TYPE, 'content-encoding': 'gzip', 'content-length': String(zipped.length) }).end(zipped),
    )
    const result = await scraperWith({ socketReadTimeoutMs: 5000, maxProcessingTimeMs: 5000 }).scrape(targetAt(`${server.url}/metrics`))
    expect(result).toMatchObject({ ok: true, body: text, bytes: Buffer.byteLength(text) })
  })

  it('applies the bound after decompression (a gzip bomb)', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * MiB, 35))
    const server = await serve((_req, res) => res.writeHead(200, { 'content-type': TEXT_TYPE, 'content-encoding': 'gzip' }).end(bomb))
    const result = failed(await scraperWith({ maxBodyBytes: MiB }).scrape(targetAt(`${server.url}/metrics`)))
    expect(bomb.length).toBeLessThan(MiB)
    expect(result.reason).toBe('body_too_large')
    expect(result.bytes).toBeLessThan(2 * MiB)
  })

  it('ends a body that trickles for longer than maxProcessingTime', async () => {
    const server = await serve((_req, res, count) => {
      res.writeHead(200, { 'content-type': TEXT_TYPE })
      trickle(res, Buffer.from('# still here\n'), 20, count)
    })
    const result = failed(await scraperWith({ socketReadTimeoutMs: 5000, maxProcessingTimeMs: 400 }).scrape(targetAt(`${server.url}/metrics`)))
    expect(result.reason).toBe('timeout')
    expect(result.message).toContain('exceeded 400 ms')
    expect(result.bytes).toBeGreaterThan(0) // it was cut off mid-body, not before it
    await server.closed(0)
    expect(result.bytes).toBeLessThanOrEqual(server.written[0]!)
  })

  it('ends a body that stalls for longer than socketReadTimeout, keeping the bytes count', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': TEXT_TYPE })
      res.write('# 100 bytes then silence'.padEnd(99, '.') + '\n')
    })
    const result = failed(await scraperWith({ socketReadTimeoutMs: 200, maxProcessingTimeMs: 10_000 }).scrape(targetAt(`${server.url}/metrics`)))
    expect(result).toMatchObject({ reason: 'timeout', bytes: 100 })
    expect(result.message).toContain('no body data for 200 ms')
    await server.closed(0)
  })

  it('gives up on a target that sends no headers within connectionTimeout + socketReadTimeout', async () => {
    const server = await serve(() => {})
    const result = failed(await scraperWith({ connectionTimeoutMs: 100, socketReadTimeoutMs: 100, maxProcessingTimeMs: 10_000 }).scrape(targetAt(`${server.url}/metrics`)))
    expect(result).toMatchObject({ reason: 'timeout', bytes: 0 })
    await server.closed(0)
  })

  it('lets a steadily flowing body take longer than the wait for headers', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': TEXT_TYPE })
      let sent = 0
      const timer = setInterval(() => {
        res.write('# tick\n')
        if (++sent === 20) {
          clearInterval(timer)
          res.end(METRICS_BODY)
        }
      }, 30)
    })
    // headers are due within 1 + 300 ms; the body alone flows for about 600 ms
    const result = await scraperWith({ connectionTimeoutMs: 1, socketReadTimeoutMs: 300, maxProcessingTimeMs: 10_000 }).scrape(targetAt(`${server.url}/metrics`))
    expect(result).toMatchObject({ ok: true, bytes: 20 * 7 + METRICS_BODY.length })
  })

  it('runs at most `max` scrapes at once', async () => {
    let inFlight = 0
    let maxInFlight = 0
    const waiting: Array<() => void> = []
    const server = await serve((_req, res) => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      const answer = () => {
        inFlight--
        res.writeHead(200, { 'content-type': TEXT_TYPE }).end(METRICS_BODY)
      }
      waiting.push(answer)
      // hold answers until a third request would show up, or briefly when none can come
      if (waiting.length >= 3) waiting.splice(0).forEach((a) => a())
      else setTimeout(() => waiting.splice(0).forEach((a) => a()), 150)
    })
    const run = (scraper: { scrape: ReturnType<typeof scraperWith>['scrape'] }) =>
      Promise.all(Array.from({ length: 6 }, (_, i) => scraper.scrape(targetAt(`${server.url}/metrics?n=${i}`))))
    const limited = limitConcurrency(scraperWith(), 2)
    const results = await run(limited)
    expect(results.every((r) => r.ok)).toBe(true)
    expect(maxInFlight).toBe(2)
    expect(limited.activeCount() + limited.pendingCount()).toBe(0)
    maxInFlight = 0
    await run(scraperWith()) // the same load without the limit does overlap more: the test can fail
    expect(maxInFlight).toBeGreaterThanOrEqual(3)
  })
})

describe('redirects', () => {
  it('follows a redirect on the same host with the credentials', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/old') return void res.writeHead(302, { location: '/metrics' }).end()
      res.writeHead(200, { 'content-type': TEXT_TYPE }).end(METRICS_BODY)
    })
    const auth = basicAuthenticator('u', 'secret-password')
    const result = await scraperWith({ authenticatorFor: () => auth }).scrape(targetAt(`${server.url}/old`))
    expect(result).toMatchObject({ ok: true, body: METRICS_BODY })
    expect(server.requests.map((r) => r.path)).toEqual(['/old', '/metrics'])
    expect(server.requests[1]!.headers.authorization).toMatch(/^Basic /)
  })

  it('drops credentials and the instance header when a redirect leaves the host', async () => {
    const server = await serve((req, res) => {
      if (req.headers.host?.startsWith('127.0.0.1')) return void res.writeHead(307, { location: `http://localhost:${server.port}/metrics` }).end()
      res.writeHead(200, { 'content-type': TEXT_TYPE }).end(METRICS_BODY)
    })
    const auth = basicAuthenticator('u', 'secret-password')
    const result = await scraperWith({ authenticatorFor: () => auth }).scrape(targetAt(`${server.url}/metrics`, { headers: { 'X-CF-APP-INSTANCE': 'abc:0' } }))
    expect(result.ok).toBe(true)
    expect(server.requests[0]!.headers.authorization).toBeDefined()
    expect(server.requests[1]!.headers.authorization).toBeUndefined()
    expect(server.requests[1]!.headers['x-cf-app-instance']).toBeUndefined()
    expect(server.requests[1]!.headers['x-promregator-instance']).toBe('instance-under-test')
  })

  it('stops a redirect loop as soon as it comes back', async () => {
    const server = await serve((req, res) => res.writeHead(302, { location: req.url === '/a' ? '/b' : '/a' }).end())
    const result = failed(await scraperWith().scrape(targetAt(`${server.url}/a`)))
    expect(result.reason).toBe('redirects')
    expect(result.message).toContain('loop')
    expect(server.requests.map((r) => r.path)).toEqual(['/a', '/b'])
  })

  it('follows at most maxRedirects redirects', async () => {
    const server = await serve((req, res) => res.writeHead(301, { location: `/r${Number(req.url!.slice(2)) + 1}` }).end())
    const result = failed(await scraperWith({ maxRedirects: 3 }).scrape(targetAt(`${server.url}/r0`)))
    expect(result.reason).toBe('redirects')
    expect(server.requests.map((r) => r.path)).toEqual(['/r0', '/r1', '/r2', '/r3'])
  })
})

describe('the scraping proxy', () => {
  const proxied = async (privateNetwork: boolean, proxyPrivateNetwork: boolean) => {
    let seen: string | undefined
    const fetch = (async (_url: string, init?: RequestInit & { proxy?: string }) => {
      seen = init?.proxy
      return new Response('up 1\n', { headers: { 'content-type': TEXT_TYPE } })
    }) as unknown as typeof globalThis.fetch
    const result = await scraperWith({ fetch, proxyUrl: 'http://proxy.example:3128', proxyPrivateNetwork }).scrape(targetAt('http://0.app.apps.internal:8080/metrics', { privateNetwork }))
    expect(result.ok).toBe(true)
    return seen
  }

  it('carries scrapes of ordinary hosts', async () => {
    expect(await proxied(false, false)).toBe('http://proxy.example:3128')
  })

  it('is left out for hosts of a private network unless asked for', async () => {
    expect(await proxied(true, false)).toBeUndefined()
    expect(await proxied(true, true)).toBe('http://proxy.example:3128')
  })
})

describe('a 401 from the target', () => {
  const rotating = (): Authenticator & { renewals: number } => {
    let generation = 1
    const auth = {
      renewals: 0,
      secrets: [],
      headers: async () => ({ authorization: `Bearer token-${generation}` }),
      rejected: (sent: Record<string, string>) => {
        if (sent.authorization === `Bearer token-${generation}`) generation++
        auth.renewals++
        return true
      },
    }
    return auth
  }

  it('is retried once with fresh credentials', async () => {
    const server = await serve((req, res) => {
      if (req.headers.authorization !== 'Bearer token-2') return void res.writeHead(401).end()
      res.writeHead(200, { 'content-type': TEXT_TYPE }).end(METRICS_BODY)
    })
    const auth = rotating()
    expect((await scraperWith({ authenticatorFor: () => auth }).scrape(targetAt(`${server.url}/metrics`))).ok).toBe(true)
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2'])
  })

  it('is retried only once when the fresh credentials are refused too', async () => {
    const server = await serve((_req, res) => res.writeHead(401).end())
    const auth = rotating()
    expect(failed(await scraperWith({ authenticatorFor: () => auth }).scrape(targetAt(`${server.url}/metrics`))).reason).toBe('unauthorized')
    expect(server.requests).toHaveLength(2)
    expect(auth.renewals).toBe(1)
  })

  it('is not retried when the authenticator has nothing fresh to offer', async () => {
    const server = await serve((_req, res) => res.writeHead(401).end())
    const auth = basicAuthenticator('u', 'wrong-password')
    expect(failed(await scraperWith({ authenticatorFor: () => auth }).scrape(targetAt(`${server.url}/metrics`))).reason).toBe('unauthorized')
    expect(server.requests).toHaveLength(1)
  })
})


describe('reading the body', () => {
  // '€' is three bytes in UTF-8; the first write ends after its first byte.
  const text = '# HELP price_euro Price in €.\n# TYPE price_euro gauge\nprice_euro 1\n'
  const bytes = Buffer.from(text)
  const split = bytes.indexOf(Buffer.from('€')) + 1

  for (const declared of [true, false]) {
    it(`decodes characters split across chunks (${declared ? 'declared length' : 'chunked'})`, async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': TEXT_TYPE, ...(declared ? { 'content-length': String(bytes.length) } : {}) })
        res.write(bytes.subarray(0, split))
        setTimeout(() => res.end(bytes.subarray(split)), 30)
      })
      expect(await scraperWith().scrape(targetAt(`${server.url}/metrics`))).toMatchObject({ ok: true, body: text, bytes: bytes.length })
    })
  }

  it('reads a body of declared length whole when only the deadline bounds it', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': TEXT_TYPE, 'content-length': String(bytes.length) })
      res.write(bytes.subarray(0, split))
      setTimeout(() => res.end(bytes.subarray(split)), 30)
    })
    const scraper = scraperWith({ socketReadTimeoutMs: 5000, maxProcessingTimeMs: 5000 })
    expect(await scraper.scrape(targetAt(`${server.url}/metrics`))).toMatchObject({ ok: true, body: text, bytes: bytes.length })
  })

  it('ends a body of declared length that stalls, at the deadline (read whole, no pause timer)', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': TEXT_TYPE, 'content-length': String(bytes.length * 2) })
      res.write(bytes) // half of what was declared, then silence
    })
    // socketReadTimeout ≥ maxProcessingTime (the defaults): the deadline is the only bound that can run out.
    const result = failed(await scraperWith({ socketReadTimeoutMs: 5000, maxProcessingTimeMs: 300 }).scrape(targetAt(`${server.url}/metrics`)))
    expect(result.reason).toBe('timeout')
    expect(result.message).toContain('exceeded 300 ms')
    await server.closed(0)
  })

  it('stops a body that declares more than the size limit, without keeping it', async () => {
    const big = Buffer.alloc(64 * 1024, '#\n')
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': TEXT_TYPE, 'content-length': String(big.length) }).end(big)
    })
    const result = failed(await scraperWith({ maxBodyBytes: 16 * 1024, socketReadTimeoutMs: 5000, maxProcessingTimeMs: 5000 }).scrape(targetAt(`${server.url}/metrics`)))
    expect(result.reason).toBe('body_too_large')
    expect(result.bytes).toBeLessThan(big.length)
  })

  it('leaves the connection of a body of declared length open for the next scrape', async () => {
    const sockets = new Set<Socket>()
    let closedByClient = 0
    const server = await serve((req, res) => {
      if (!sockets.has(req.socket)) {
        sockets.add(req.socket)
        req.socket.once('close', () => closedByClient++)
      }
      res.writeHead(200, { 'content-type': TEXT_TYPE, 'content-length': String(Buffer.byteLength(METRICS_BODY)) }).end(METRICS_BODY)
    })
    const scraper = scraperWith()
    for (let i = 0; i < 5; i++) expect(await scraper.scrape(targetAt(`${server.url}/metrics`))).toMatchObject({ ok: true, body: METRICS_BODY })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(sockets.size).toBeLessThan(5) // connections were reused
    expect(closedByClient).toBe(0) // none was dropped after its body
  })
})

describe('the caller giving up', () => {
  it('ends the scrape at once and closes the connection', async () => {
    const server = await serve(() => {})
    const caller = new AbortController()
    setTimeout(() => caller.abort(), 100)
    const result = failed(await scraperWith().scrape(targetAt(`${server.url}/metrics`), caller.signal))
    expect(result.reason).toBe('timeout')
    expect(result.durationMs).toBeLessThan(4000)
    await server.closed(0)
  })

  it('ends every scrape sharing its signal, which carries one listener however many scrapes follow it', async () => {
    const { EventEmitter } = await import('node:events')
    const server = await serve(() => {})
    const caller = new AbortController()
    const scraper = scraperWith()
    const scrapes = Array.from({ length: 20 }, () => scraper.scrape(targetAt(`${server.url}/metrics`), caller.signal))
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(EventEmitter.getEventListeners(caller.signal, 'abort')).toHaveLength(1)
    caller.abort()
    const results = await Promise.all(scrapes)
    expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual(Array(20).fill('timeout'))
    expect(Math.max(...results.map((r) => r.durationMs))).toBeLessThan(4000)
  })
})
