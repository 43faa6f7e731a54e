/**
 * @module http/middleware/compression
 * Response compression for clients that accept it (Prometheus sends `Accept-Encoding: gzip`).
 * The rules follow `hono/compress` (same skips, same encoding choice, `Vary: Accept-Encoding`),
 * plus OpenMetrics, which Hono's list of compressible types lacks. Two things differ because
 * `/metrics` bodies run to tens of megabytes:
 * - the compressor can be injected: the default streams through `CompressionStream` (portable,
 *   zlib's default level, about 70 ms for a 19 MB body on Bun), while the binary passes its
 *   runtime's gzip at a fast level (about 9 ms for the same body, output 1.6× larger), which
 *   takes the body's text as it is;
 * - `Vary` is set on the response in place; `hono/compress` sets it with `c.header()` after the
 *   handler, which rebuilds the Response around a stream of its body and makes the server stream
 *   even the bodies it does not compress.
 */
import type { MiddlewareHandler } from 'hono'
import { COMPRESSIBLE_CONTENT_TYPE_REGEX } from 'hono/compress'
import { endTime, startTime } from 'hono/timing'
import { parseAccept } from 'hono/utils/accept'

/** Content codings we produce; `deflate` is the zlib format, as HTTP defines it. */
export type Encoding = 'gzip' | 'deflate'

/**
 * Compresses a whole body, given as its text: every body this app compresses is UTF-8 text, and
 * handing over the string the handler produced skips turning 19 MB of `/metrics` into bytes
 * first (~10 ms); a runtime compressor such as `Bun.gzipSync` reads the string itself.
 */
export type Compressor = (text: string, encoding: Encoding) => Uint8Array | Promise<Uint8Array>

export interface CompressionOptions {
  /** Whole-body compressor; without one, bodies stream through `CompressionStream`. */
  compressor?: Compressor
  /** Bodies smaller than this (bytes) are sent as they are; default 1024, as `hono/compress`. */
  threshold?: number
}

/** Preference order when the client accepts both equally (gzip first, as `hono/compress`). */
const ENCODINGS: readonly Encoding[] = ['gzip', 'deflate']
const NO_TRANSFORM = /(?:^|,)\s*?no-transform\s*?(?:,|$)/i
const VARY_HAS_ACCEPT_ENCODING = /(?:^|,)\s*accept-encoding\s*(?:,|$)/i

/** True for content types worth compressing. */
export function compressible(contentType: string): boolean {
  return COMPRESSIBLE_CONTENT_TYPE_REGEX.test(contentType) || /^\s*application\/openmetrics-text(?:[;\s]|$)/i.test(contentType)
}

/**
 * The coding to use for an `Accept-Encoding` header value (parsed by Hono's `parseAccept`): the
 * highest q-value above 0, where `*` stands for every coding the header does not name (RFC 9110
 * §12.5.3); on equal q-values gzip first.
 */
export function selectEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  if (acceptEncoding === undefined) return undefined
  const accepts = parseAccept(acceptEncoding)
  const qOf = (encoding: Encoding) => accepts.find((a) => a.type.toLowerCase() === encoding)?.q ?? accepts.find((a) => a.type === '*')?.q ?? 0
  const [best] = ENCODINGS.map((encoding) => ({ encoding, q: qOf(encoding) }))
    .filter((candidate) => candidate.q > 0)
    .sort((a, b) => b.q - a.q)
  return best?.encoding
}

/** Hono middleware compressing compressible responses for clients that accept gzip or deflate. */
export function compression(options: CompressionOptions = {}): MiddlewareHandler {
  const threshold = options.threshold ?? 1024
  const { compressor } = options
  return async function compress(c, next) {
    await next()
    const res = c.res
    const headers = res.headers
    const contentType = headers.get('content-type')
    const length = headers.get('content-length')
    if (
      res.status === 206 ||
      c.req.method === 'HEAD' ||
      headers.has('content-encoding') ||
      headers.has('transfer-encoding') ||
      (length !== null && Number(length) < threshold) ||
      !contentType ||
      !compressible(contentType) ||
      NO_TRANSFORM.test(headers.get('cache-control') ?? '')
    ) {
      return
    }
    const vary = headers.get('vary')
    const newVary = vary === '*' || (vary && VARY_HAS_ACCEPT_ENCODING.test(vary)) ? undefined : vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding'
    const encoding = selectEncoding(c.req.header('accept-encoding'))
    if (!encoding) {
      if (newVary !== undefined) setVary(c, res, newVary)
      return
    }
    const out = new Headers(headers)
    if (newVary !== undefined) out.set('vary', newVary)
    out.delete('content-length')
    const etag = out.get('etag')
    if (etag && !etag.startsWith('W/')) out.set('etag', `W/${etag}`)
    if (!compressor) {
      // Reading `body` turns a string body into a stream, so it is touched only here.
      if (!res.body) return
      out.set('content-encoding', encoding)
      replaceResponse(c, new Response(res.body.pipeThrough(new CompressionStream(encoding)), { status: res.status, statusText: res.statusText, headers: out }))
      return
    }
    // Timed when the route has Hono's timing middleware (`/metrics`).
    const timed = c.get('metric') !== undefined
    if (timed) startTime(c, 'compress', `${encoding} of the body`)
    // A string body comes back as the same string, without a copy.
    const text = await res.text()
    // Characters, not bytes: a body of fewer characters than the threshold is not worth compressing either.
    if (text.length < threshold) {
      replaceResponse(c, new Response(text, { status: res.status, statusText: res.statusText, headers: out }))
      return
    }
    out.set('content-encoding', encoding)
    const compressed = await compressor(text, encoding)
    if (timed) endTime(c, 'compress')
    replaceResponse(c, new Response(compressed as Uint8Array<ArrayBuffer>, { status: res.status, statusText: res.statusText, headers: out }))
  }
}

/** Adds `Vary` in place; a response with immutable headers (one passed on from `fetch`) is rebuilt. */
function setVary(c: { res: Response | undefined }, res: Response, value: string): void {
  try {
    res.headers.set('vary', value)
  } catch {
    const headers = new Headers(res.headers)
    headers.set('vary', value)
    replaceResponse(c, new Response(res.body, { status: res.status, statusText: res.statusText, headers }))
  }
}

/**
 * Installs a complete response. Assigning over an existing `c.res` makes Hono rebuild the new one
 * around a stream of its body and copy the old headers onto it (a stale Content-Length included);
 * our headers are already complete, so the old response is cleared first.
 */
function replaceResponse(c: { res: Response | undefined }, res: Response): void {
  c.res = undefined
  c.res = res
}
