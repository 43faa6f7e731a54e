/**
 * Response compression (src/http/middleware/compression.ts): the rules of `hono/compress` (which coding for
 * which Accept-Encoding, what is left alone, Vary), the injected whole-body compressor the binary
 * uses (gzip and zlib-format deflate, bodies under the threshold sent as they are) and the
 * portable CompressionStream default, and the wiring from assemble() to the app.
 */
import { deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { assemble } from '../../src/assemble.ts'
import { loadConfigText } from '../../src/config/load.ts'
import { compression, selectEncoding, type Compressor, type Encoding } from '../../src/http/middleware/compression.ts'
import { silentLogger } from '../../src/log.ts'

const BIG = `${Array.from({ length: 400 }, (_, i) => `series_${i}{app="web"} ${i}`).join('\n')}\n`
const TEXT = 'text/plain; version=0.0.4; charset=utf-8'

/** A compressor that records its calls and produces real gzip / zlib output. */
function recordingCompressor(): Compressor & { calls: Encoding[] } {
  const calls: Encoding[] = []
  const compress = (data: string, encoding: Encoding): Uint8Array => {
    calls.push(encoding)
    return encoding === 'gzip' ? gzipSync(data, { level: 1 }) : deflateSync(data, { level: 1 })
  }
  const compressor = Object.assign(compress, { calls })
  return compressor
}

function appWith(compressor?: Compressor): Hono {
  const app = new Hono()
  app.use('*', compression({ compressor }))
  app.get('/big', (c) => c.body(BIG, 200, { 'content-type': TEXT }))
  app.get('/small', (c) => c.body('up 1\n', 200, { 'content-type': TEXT }))
  app.get('/om', (c) => c.body(`${BIG}# EOF\n`, 200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' }))
  app.get('/binary', (c) => c.body(BIG, 200, { 'content-type': 'application/octet-stream' }))
  app.get('/no-transform', (c) => c.body(BIG, 200, { 'content-type': TEXT, 'cache-control': 'no-transform' }))
  app.get('/vary', (c) => c.body(BIG, 200, { 'content-type': TEXT, vary: 'Accept' }))
  return app
}

async function bytesOf(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer())
}

describe('choosing the coding', () => {
  it('follows q-values and wildcards, gzip first when both are equal', () => {
    expect(selectEncoding(undefined)).toBeUndefined()
    expect(selectEncoding('gzip')).toBe('gzip')
    expect(selectEncoding('deflate, gzip')).toBe('gzip')
    expect(selectEncoding('gzip;q=0.5, deflate')).toBe('deflate')
    expect(selectEncoding('gzip;q=0, deflate;q=0.1')).toBe('deflate')
    expect(selectEncoding('*')).toBe('gzip')
    expect(selectEncoding('br, zstd')).toBeUndefined()
    expect(selectEncoding('identity')).toBeUndefined()
  })
})

describe('with an injected compressor', () => {
  it('gzips a large body for a client that accepts gzip (as Prometheus does)', async () => {
    const compressor = recordingCompressor()
    const res = await appWith(compressor).request('/big', { headers: { 'accept-encoding': 'gzip' } })
    expect(res.headers.get('content-encoding')).toBe('gzip')
    expect(res.headers.get('vary')).toBe('Accept-Encoding')
    expect(res.headers.get('content-type')).toBe(TEXT)
    expect(gunzipSync(await bytesOf(res)).toString('utf8')).toBe(BIG)
    expect(compressor.calls).toEqual(['gzip'])
  })

  it('sends deflate in the zlib format HTTP means by it', async () => {
    const res = await appWith(recordingCompressor()).request('/big', { headers: { 'accept-encoding': 'deflate' } })
    expect(res.headers.get('content-encoding')).toBe('deflate')
    expect(inflateSync(await bytesOf(res)).toString('utf8')).toBe(BIG)
  })

  it('compresses OpenMetrics, which hono/compress would leave alone', async () => {
    const res = await appWith(recordingCompressor()).request('/om', { headers: { 'accept-encoding': 'gzip' } })
    expect(res.headers.get('content-encoding')).toBe('gzip')
    expect(gunzipSync(await bytesOf(res)).toString('utf8')).toBe(`${BIG}# EOF\n`)
  })

  it('sends a body under the threshold as it is, and says that the answer varies', async () => {
    const compressor = recordingCompressor()
    const res = await appWith(compressor).request('/small', { headers: { 'accept-encoding': 'gzip' } })
    expect(res.headers.get('content-encoding')).toBeNull()
    expect(res.headers.get('vary')).toBe('Accept-Encoding')
    expect(await res.text()).toBe('up 1\n')
    expect(compressor.calls).toEqual([])
  })

  it('leaves the body alone for a client without Accept-Encoding, with Vary set', async () => {
    const compressor = recordingCompressor()
    const res = await appWith(compressor).request('/big')
    expect(res.headers.get('content-encoding')).toBeNull()
    expect(res.headers.get('vary')).toBe('Accept-Encoding')
    expect(await res.text()).toBe(BIG)
    expect(compressor.calls).toEqual([])
  })

  it('leaves alone what must not or need not be compressed', async () => {
    const compressor = recordingCompressor()
    const app = appWith(compressor)
    for (const path of ['/binary', '/no-transform']) {
      const res = await app.request(path, { headers: { 'accept-encoding': 'gzip' } })
      expect(res.headers.get('content-encoding'), path).toBeNull()
      expect(await res.text(), path).toBe(BIG)
    }
    const head = await app.request('/big', { method: 'HEAD', headers: { 'accept-encoding': 'gzip' } })
    expect(head.headers.get('content-encoding')).toBeNull()
    expect(compressor.calls).toEqual([])
  })

  it('adds Accept-Encoding to an existing Vary', async () => {
    const res = await appWith(recordingCompressor()).request('/vary', { headers: { 'accept-encoding': 'gzip' } })
    expect(res.headers.get('vary')).toBe('Accept, Accept-Encoding')
  })
})

describe('without a compressor (the portable default)', () => {
  it('streams gzip through CompressionStream', async () => {
    const res = await appWith().request('/big', { headers: { 'accept-encoding': 'gzip' } })
    expect(res.headers.get('content-encoding')).toBe('gzip')
    expect(res.headers.get('content-length')).toBeNull()
    expect(gunzipSync(await bytesOf(res)).toString('utf8')).toBe(BIG)
  })
})

describe('assemble()', () => {
  it('hands its compressor to the app', async () => {
    const loaded = loadConfigText('cf: { api_host: "http://127.0.0.1:9", username: u, password: p }\npromregator:\n  targets: [{ orgName: o, spaceName: s }]\n')
    if (!loaded.ok) throw new Error(loaded.problems.join('; '))
    const compressor = recordingCompressor()
    const assembled = assemble(loaded.config, { fetch: () => Promise.reject(new Error('offline')), logger: silentLogger, compressor })
    try {
      const res = await assembled.app.request('/promregatorMetrics', { headers: { 'accept-encoding': 'gzip' } })
      expect(res.headers.get('content-encoding')).toBe('gzip')
      expect(gunzipSync(await bytesOf(res)).toString('utf8')).toMatch(/^# HELP /)
      expect(compressor.calls).toEqual(['gzip'])
    } finally {
      assembled.stop()
    }
  })
})
