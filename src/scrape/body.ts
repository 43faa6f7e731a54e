/**
 * @module scrape/body
 * Reads a response body with bounded memory and time: at most `limit` bytes are kept (beyond that
 * the stream is cancelled and the text dropped), a pause between two chunks longer than `idleMs`
 * ends the read, and so does the scrape's deadline. Bytes are counted after decompression, so a
 * small gzip body that inflates to gigabytes is stopped at the same bound.
 *
 * When only the deadline can run out and the size bound cannot (a declared length within it, or a
 * compressed one too small to inflate past it), the runtime reads the body whole: that is most
 * scrapes, and the fastest way. Otherwise the bounds are watched chunk by chunk.
 *
 * A compressed body is best inflated here, not by the runtime: Bun's fetch inflates ahead of the
 * reader, so one scrape of a 64 MB gzip bomb (inflating to 64 GB) raised the binary's peak RSS from
 * 52 to 318 MiB with a 4 MiB limit before the reader saw its first bytes. With `asSent` (the fetch
 * was told not to decompress: Bun's `decompress: false`) the compressed bytes are read within the
 * same limit (deflate never shrinks data by more than a few bytes per 64 KiB block, so a compressed
 * body larger than the limit cannot inflate to within it) and inflated by zlib with the limit as its
 * largest output: the bomb then costs at most the limit twice over.
 *
 * `/metrics` reads a thousand bodies per request, so the bounds cost one timer and one listener per
 * body, not per chunk: a bound that runs out cancels the reader, which ends the pending `read()`,
 * and the loop then reports which bound it was. The timer is armed once for `idleMs` and, when it
 * fires after chunks did arrive, re-armed for what is left of the pause since the last one.
 */

/** How a bounded read ended, with the bytes seen so far (also when it failed). */
export type BodyRead =
  | { outcome: 'ok'; text: string; bytes: number; invalidUtf8?: true }
  | { outcome: 'too_large' | 'idle' | 'deadline'; bytes: number }
  | { outcome: 'error'; bytes: number; error: string }

/** Decoding a whole buffer keeps no state, so one decoder of each kind serves every read. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
const lenientUtf8 = new TextDecoder()

/**
 * The text of a body: strictly decoded, since neither format allows invalid UTF-8 and Prometheus
 * rejects it; when it is invalid, the text with U+FFFD in its place, marked `invalidUtf8`.
 */
export function decodeUtf8(data: Uint8Array | ArrayBuffer, bytes: number): Extract<BodyRead, { outcome: 'ok' }> {
  try {
    return { outcome: 'ok', text: strictUtf8.decode(data), bytes }
  } catch {
    return { outcome: 'ok', text: lenientUtf8.decode(data), bytes, invalidUtf8: true }
  }
}

/**
 * Reads `response.body` as UTF-8 text within the given bounds (`idleMs` may be Infinity). With
 * `asSent`, the body is still in its `Content-Encoding` and is inflated here, bounded. Never throws.
 */
export async function readBounded(response: Response, limit: number, idleMs: number, deadline: AbortSignal, asSent = false): Promise<BodyRead> {
  if (!response.body) return { outcome: 'ok', text: '', bytes: 0 }
  const { coding, identity } = codingOf(response)
  if (asSent && !identity) return decoded(await readAndInflate(response, coding, limit, idleMs, deadline))
  return readDecoded(response, identity, coding, limit, idleMs, deadline)
}

/**
 * Reads `response.body` as bytes within the same bounds, for a binary format (Prometheus's
 * protobuf exposition). Never throws.
 */
export async function readBoundedBytes(response: Response, limit: number, idleMs: number, deadline: AbortSignal, asSent = false): Promise<BytesRead> {
  if (!response.body) return { outcome: 'ok', data: new Uint8Array(0), bytes: 0 }
  const { coding, identity } = codingOf(response)
  if (asSent && !identity) return readAndInflate(response, coding, limit, idleMs, deadline)
  const declared = declaredLength(response)
  if (identity && declared >= 0 && declared <= limit && !Number.isFinite(idleMs)) return readWholeBytes(response, deadline)
  return readChunks(response, limit, idleMs, deadline, identity ? declared : -1)
}

/** The body's content coding (lower-cased, null when none) and whether it is the identity. */
function codingOf(response: Response): { coding: string | null; identity: boolean } {
  const coding = response.headers.get('content-encoding')?.trim().toLowerCase() ?? null
  return { coding, identity: coding === null || coding === '' || coding === 'identity' }
}

/** The declared `Content-Length`, or -1. */
function declaredLength(response: Response): number {
  const length = response.headers.get('content-length')
  return length === null ? -1 : Number(length)
}

/** A bytes read as text. */
function decoded(read: BytesRead): BodyRead {
  return read.outcome === 'ok' ? decodeUtf8(read.data, read.bytes) : read
}

/** A body the runtime has decoded (or that was never encoded), read within the bounds. */
async function readDecoded(response: Response, identity: boolean, coding: string | null, limit: number, idleMs: number, deadline: AbortSignal): Promise<BodyRead> {
  const declared = declaredLength(response)
  if (declared >= 0 && !Number.isFinite(idleMs)) {
    if (identity && declared <= limit) return readWhole(response, deadline, declared)
    // Deflate (gzip's too) cannot expand more than 1032-fold: a small enough compressed body
    // cannot inflate past the limit, so it too can be read whole.
    if (coding !== null && DEFLATED.has(coding) && declared * MAX_DEFLATE_EXPANSION <= limit) return readWhole(response, deadline)
  }
  // A body of declared length (not re-encoded in transit) is complete with its last byte.
  return decoded(await readChunks(response, limit, idleMs, deadline, identity ? declared : -1))
}

/** A body still in its content coding: its bytes as sent within the limit, then inflated within it. */
async function readAndInflate(response: Response, coding: string | null, limit: number, idleMs: number, deadline: AbortSignal): Promise<BytesRead> {
  const inflater = coding === null ? undefined : INFLATERS[coding]
  if (inflater === undefined) {
    await response.body?.cancel().catch(() => {})
    return { outcome: 'error', bytes: 0, error: `unsupported content-encoding ${coding}` }
  }
  const declared = declaredLength(response)
  const read =
    declared >= 0 && declared <= limit && !Number.isFinite(idleMs)
      ? await readWholeBytes(response, deadline)
      : await readChunks(response, limit, idleMs, deadline, declared)
  if (read.outcome !== 'ok') return read
  try {
    const inflated = await inflater(read.data, { maxOutputLength: limit })
    return { outcome: 'ok', data: inflated, bytes: inflated.byteLength }
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return { outcome: 'too_large', bytes: limit + 1 }
    return { outcome: 'error', bytes: read.bytes, error: `${coding} body cannot be inflated: ${(error as Error).message}` }
  }
}

/** The outcome of reading raw bytes: the whole body, or why the read ended. */
export type BytesRead = { outcome: 'ok'; data: Uint8Array; bytes: number } | Exclude<BodyRead, { outcome: 'ok' }>

/**
 * Reads the body's bytes chunk by chunk, within `limit` bytes, `idleMs` between chunks and the
 * deadline; `expected` (or -1) is the declared length, whose last byte ends the read.
 */
async function readChunks(response: Response, limit: number, idleMs: number, deadline: AbortSignal, expected: number): Promise<BytesRead> {
  if (!response.body) return { outcome: 'ok', data: new Uint8Array(0), bytes: 0 }
  const reader = response.body.getReader()
  let bytes = 0
  /** The bound that ran out and cancelled the reader, if one did. */
  let stoppedBy: 'idle' | 'deadline' | 'too_large' | undefined
  const stop = (bound: 'idle' | 'deadline' | 'too_large'): void => {
    if (stoppedBy !== undefined) return
    stoppedBy = bound
    reader.cancel().catch(() => {})
  }
  if (deadline.aborted) {
    stop('deadline')
    return { outcome: 'deadline', bytes }
  }
  const onDeadline = (): void => stop('deadline')
  deadline.addEventListener('abort', onDeadline, { once: true })
  let lastChunkAt = performance.now()
  const onIdleTimer = (): void => {
    const quiet = performance.now() - lastChunkAt
    if (quiet >= idleMs) stop('idle')
    else idleTimer = setTimeout(onIdleTimer, idleMs - quiet)
  }
  // Infinity: the caller knows the deadline comes first, so the pause bound needs no timer.
  let idleTimer = Number.isFinite(idleMs) ? setTimeout(onIdleTimer, idleMs) : undefined
  // Waiting for the stream to report its end after the declared last byte costs another turn of
  // the event loop on every scrape.
  const chunks: Uint8Array[] = []
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>
      try {
        next = await reader.read()
      } catch (error) {
        // Aborting the fetch (the deadline) errors the stream rather than closing it.
        if (stoppedBy === 'idle') return { outcome: 'idle', bytes }
        if (stoppedBy === 'deadline' || deadline.aborted) return { outcome: 'deadline', bytes }
        return { outcome: 'error', bytes, error: (error as Error).message }
      }
      if (stoppedBy === 'idle' || stoppedBy === 'deadline') return { outcome: stoppedBy, bytes }
      if (next.done) return { outcome: 'ok', data: joinChunks(chunks, bytes), bytes }
      lastChunkAt = performance.now()
      bytes += next.value.byteLength
      if (bytes > limit) {
        stop('too_large')
        return { outcome: 'too_large', bytes }
      }
      chunks.push(next.value)
      if (bytes === expected) {
        reader.releaseLock()
        return { outcome: 'ok', data: joinChunks(chunks, bytes), bytes }
      }
    }
  } finally {
    clearTimeout(idleTimer)
    deadline.removeEventListener('abort', onDeadline)
  }
}

/**
 * The fast path: a body whose declared length is within the limit (or, compressed, cannot inflate
 * past it), with no pause bound to watch (the deadline comes first), is read whole by the runtime.
 * HTTP framing stops it at the declared length, and aborting the deadline (which the request
 * carries) ends the read. `bytes` is the declared length, else the size of the decompressed body. Reading through a
 * stream reader instead costs `/singleTargetMetrics` about a tenth of its throughput (bench/single-target.ts).
 */
async function readWhole(response: Response, deadline: AbortSignal, bytes?: number): Promise<BodyRead> {
  if (deadline.aborted) {
    await response.body?.cancel().catch(() => {})
    return { outcome: 'deadline', bytes: 0 }
  }
  try {
    // Decompressed (no declared length), the size is the decoded buffer's.
    const buffer = await response.arrayBuffer()
    return decodeUtf8(buffer, bytes ?? buffer.byteLength)
  } catch (error) {
    if (deadline.aborted) return { outcome: 'deadline', bytes: 0 }
    return { outcome: 'error', bytes: 0, error: (error as Error).message }
  }
}

/** Content codings that are deflate streams (gzip wraps one); `x-gzip` is gzip's old name. */
const DEFLATED = new Set(['gzip', 'x-gzip', 'deflate'])
/** Deflate's largest possible expansion: 258 bytes from a match coded in about 2 bits (RFC 1951). */
const MAX_DEFLATE_EXPANSION = 1032

/** The chunks as one buffer, to be decoded once (a character split across chunks stays whole). */
function joinChunks(chunks: Uint8Array[], bytes: number): Uint8Array {
  if (chunks.length === 0) return new Uint8Array(0)
  if (chunks.length === 1) return chunks[0] as Uint8Array
  const whole = new Uint8Array(bytes)
  let offset = 0
  for (const chunk of chunks) {
    whole.set(chunk, offset)
    offset += chunk.byteLength
  }
  return whole
}

/** A body of declared length within the limit, read whole as bytes (HTTP framing bounds it). */
async function readWholeBytes(response: Response, deadline: AbortSignal): Promise<BytesRead> {
  if (deadline.aborted) {
    await response.body?.cancel().catch(() => {})
    return { outcome: 'deadline', bytes: 0 }
  }
  try {
    const data = new Uint8Array(await response.arrayBuffer())
    return { outcome: 'ok', data, bytes: data.byteLength }
  } catch (error) {
    if (deadline.aborted) return { outcome: 'deadline', bytes: 0 }
    return { outcome: 'error', bytes: 0, error: (error as Error).message }
  }
}

type Inflate = (data: Uint8Array, options: { maxOutputLength: number }) => Promise<Uint8Array>

/**
 * zlib's inflaters, which stop with `ERR_BUFFER_TOO_LARGE` once their output passes
 * `maxOutputLength` and run off the event loop. HTTP's `deflate` is the zlib format, though some
 * servers send raw deflate: both are read.
 */
const INFLATERS: Record<string, Inflate> = {
  gzip: (data, options) => zlibCall('gunzip', data, options),
  'x-gzip': (data, options) => zlibCall('gunzip', data, options),
  deflate: (data, options) => zlibCall('inflate', data, options).catch((error: { code?: string }) => (error.code === 'ERR_BUFFER_TOO_LARGE' ? Promise.reject(error) : zlibCall('inflateRaw', data, options))),
  br: (data, options) => zlibCall('brotliDecompress', data, options),
}

/** One asynchronous zlib call; node:zlib loads with the first compressed body, not at start. */
async function zlibCall(name: 'gunzip' | 'inflate' | 'inflateRaw' | 'brotliDecompress', data: Uint8Array, options: { maxOutputLength: number }): Promise<Uint8Array> {
  const call = (await import('node:zlib'))[name] as (data: Uint8Array, options: object, done: (error: Error | null, result: Uint8Array) => void) => void
  return new Promise((resolve, reject) => call(data, options, (error, result) => (error ? reject(error) : resolve(result))))
}
