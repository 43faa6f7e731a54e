/**
 * @module net/rate-limit
 * A client-side rate limit (requests per second) with the semantics of Guava's bursty
 * `RateLimiter`, which the original uses for `cf.request.rateLimit`: slots are `1000 / rate` ms
 * apart and excess requests queue instead of failing; time spent idle is saved up as permits for
 * up to `burstSeconds` (default 1 s, as Guava), so a refresh after a quiet spell sends its first
 * requests at once while a sustained flood is held to the rate.
 */

/** Waits until the caller may send its next request. */
export type RateLimiter = () => Promise<void>

export interface RateLimiterOptions {
  /** Requests per second; 0 or less means no limit. */
  perSecond: number
  /** Idle time saved up as permits, at most this many seconds' worth; default 1. */
  burstSeconds?: number
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

/** Creates the limiter; with no limit it resolves at once. */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  if (!(options.perSecond > 0)) return () => Promise.resolve()
  const now = options.now ?? (() => performance.now())
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const spacing = 1000 / options.perSecond
  const maxStored = options.perSecond * (options.burstSeconds ?? 1)
  // The earliest moment the next request may go out, and the permits saved up while idle.
  let nextFree = now()
  let stored = 0
  return async () => {
    const at = now()
    if (at > nextFree) {
      stored = Math.min(maxStored, stored + (at - nextFree) / spacing)
      nextFree = at
    }
    const wait = nextFree - at
    const fromStored = Math.min(1, stored)
    stored -= fromStored
    nextFree += (1 - fromStored) * spacing
    if (wait > 0) await sleep(wait)
  }
}
