/**
 * @module net/rate-limit
 * A smooth client-side rate limit (requests per second) like Guava's `RateLimiter` that the
 * original uses for `cf.request.rateLimit`: each request gets the next free slot, slots are
 * `1000 / rate` ms apart, and excess requests queue instead of failing.
 */

/** Waits until the caller may send its next request. */
export type RateLimiter = () => Promise<void>

export interface RateLimiterOptions {
  /** Requests per second; 0 or less means no limit. */
  perSecond: number
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

/** Creates the limiter; with no limit it resolves at once. */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  if (!(options.perSecond > 0)) return () => Promise.resolve()
  const now = options.now ?? (() => performance.now())
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const spacing = 1000 / options.perSecond
  // The earliest moment the next request may go out; a burst of one is allowed after idling.
  let nextFree = -Infinity
  return async () => {
    const at = now()
    const slot = Math.max(at, nextFree)
    nextFree = slot + spacing
    if (slot > at) await sleep(slot - at)
  }
}
