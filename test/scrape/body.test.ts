/**
 * Bodies left in their content coding (`asSent`, as Bun's fetch gives them with `decompress: false`)
 * are inflated by readBounded within the limit: gzip, zlib and raw deflate, brotli; a bomb ends as
 * `too_large` without inflating past the limit, an unknown coding or a corrupt stream as an error.
 */
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { readBounded } from '../../src/scrape/body.ts'

const TEXT = 'up{job="a"} 1\nmetric_ü 2\n'
const encoded = (body: Uint8Array, coding: string, declared = true) =>
  new Response(new Uint8Array(body), { headers: { 'content-encoding': coding, ...(declared ? { 'content-length': String(body.byteLength) } : {}) } })
const read = (response: Response, limit = 1 << 20, idleMs = Infinity) => readBounded(response, limit, idleMs, new AbortController().signal, true)

describe('readBounded on bodies as sent', () => {
  it.each([
    ['gzip', gzipSync(TEXT)],
    ['x-gzip', gzipSync(TEXT)],
    ['deflate', deflateSync(TEXT)],
    ['deflate', deflateRawSync(TEXT)],
    ['br', brotliCompressSync(TEXT)],
    ['GZIP', gzipSync(TEXT)],
  ])('inflates %s', async (coding, body) => {
    expect(await read(encoded(body, coding))).toEqual({ outcome: 'ok', text: TEXT, bytes: Buffer.byteLength(TEXT) })
    expect(await read(encoded(body, coding, false), 1 << 20, 5000)).toEqual({ outcome: 'ok', text: TEXT, bytes: Buffer.byteLength(TEXT) })
  })

  it('stops a bomb at the limit, declared length or not', async () => {
    const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x61))
    expect(await read(encoded(bomb, 'gzip'), 65536)).toEqual({ outcome: 'too_large', bytes: 65537 })
    expect(await read(encoded(bomb, 'gzip', false), 65536, 5000)).toEqual({ outcome: 'too_large', bytes: 65537 })
  })

  it('counts a compressed body larger than the limit as too large without inflating it', async () => {
    const noise = gzipSync(crypto.getRandomValues(new Uint8Array(60000)))
    expect((await read(encoded(noise, 'gzip'), 50000)).outcome).toBe('too_large')
  })

  it('reads a body without a content coding as it is', async () => {
    expect(await read(new Response(TEXT))).toEqual({ outcome: 'ok', text: TEXT, bytes: Buffer.byteLength(TEXT) })
  })

  it('fails an unknown coding and a corrupt stream with a message', async () => {
    expect(await read(encoded(new Uint8Array([1, 2, 3]), 'zstd'))).toEqual({ outcome: 'error', bytes: 0, error: 'unsupported content-encoding zstd' })
    const corrupt = await read(encoded(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]), 'gzip'))
    expect(corrupt.outcome).toBe('error')
    expect(corrupt.outcome === 'error' && corrupt.error).toMatch(/^gzip body cannot be inflated: /)
  })
})

describe('bodies that are not UTF-8', () => {
  // `\xbd` alone and `\xff` are not UTF-8 (prometheus/common's and Prometheus's own error cases).
  const bad = Uint8Array.from([...Buffer.from('metric{l="'), 0xbd, ...Buffer.from('"} 3.14\n')])

  it('are read, marked, with U+FFFD in place of the bad bytes, however they arrive', async () => {
    const marked = { outcome: 'ok', text: 'metric{l="\uFFFD"} 3.14\n', bytes: bad.byteLength, invalidUtf8: true }
    expect(await read(new Response(bad, { headers: { 'content-length': String(bad.byteLength) } }))).toEqual(marked)
    expect(await read(new Response(bad), 1 << 20, 5000)).toEqual(marked)
    expect(await read(encoded(gzipSync(bad), 'gzip'))).toEqual(marked)
  })

  it('leave a body that is UTF-8, U+FFFD included, unmarked', async () => {
    const text = 'metric{l="\uFFFD ü"} 1\n'
    expect(await read(new Response(text))).toEqual({ outcome: 'ok', text, bytes: Buffer.byteLength(text) })
  })
})
