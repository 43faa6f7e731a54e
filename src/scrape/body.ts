/**
 * @module scrape/body
 * Reads a response body with bounded memory and time: at most `limit` bytes are kept (beyond that
 * the stream is cancelled and the text dropped), a pause between two chunks longer than `idleMs`
 * ends the read, and so does the scrape's deadline. Bytes are counted after decompression, so a
 * small gzip body that inflates to gigabytes is stopped at the same bound.
 */

/** How a bounded read ended, with the bytes seen so far (also when it failed). */
export type BodyRead =
  | { outcome: 'ok'; text: string; bytes: number }
  | { outcome: 'too_large' | 'idle' | 'deadline'; bytes: number }
  | { outcome: 'error'; bytes: number; error: string }

/** Reads `response.body` as UTF-8 text within the given bounds. Never throws. */
export async function readBounded(response: Response, limit: number, idleMs: number, deadline: AbortSignal): Promise<BodyRead> {
  if (!response.body) return { outcome: 'ok', text: '', bytes: 0 }
  const reader = response.body.getReader()
  const stop = (): void => void reader.cancel().catch(() => {})
  const decoder = new TextDecoder()
  let text = ''
  let bytes = 0
  for (;;) {
    if (deadline.aborted) {
      stop()
      return { outcome: 'deadline', bytes }
    }
    let next: ReadableStreamReadResult<Uint8Array> | 'idle' | 'deadline'
    try {
      next = await raceChunk(reader, idleMs, deadline)
    } catch (error) {
      return deadline.aborted ? { outcome: 'deadline', bytes } : { outcome: 'error', bytes, error: (error as Error).message }
    }
    if (next === 'idle' || next === 'deadline') {
      stop()
      return { outcome: next, bytes }
    }
    if (next.done) return { outcome: 'ok', text: text + decoder.decode(), bytes }
    bytes += next.value.byteLength
    if (bytes > limit) {
      stop()
      return { outcome: 'too_large', bytes }
    }
    text += decoder.decode(next.value, { stream: true })
  }
}

/** The next chunk, or which bound ran out first. Cleans up its timer and listener either way. */
function raceChunk(reader: ReadableStreamDefaultReader<Uint8Array>, idleMs: number, deadline: AbortSignal): Promise<ReadableStreamReadResult<Uint8Array> | 'idle' | 'deadline'> {
  return new Promise((resolve, reject) => {
    const onAbort = () => finish(() => resolve('deadline'))
    const timer = setTimeout(() => finish(() => resolve('idle')), idleMs)
    let settled = false
    function finish(settle: () => void) {
      if (settled) return
      settled = true
      clearTimeout(timer)
      deadline.removeEventListener('abort', onAbort)
      settle()
    }
    deadline.addEventListener('abort', onAbort, { once: true })
    reader.read().then(
      (chunk) => finish(() => resolve(chunk)),
      (error: unknown) => finish(() => reject(error)),
    )
  })
}
