/**
 * @module targets/invalidation
 * What stands between `GET /cache/invalidate` and the platforms' APIs. Anyone who can reach the
 * endpoint can ask for a refresh, and each refresh reads every resource class it invalidates
 * from the platform API again (a whole foundation's apps, routes, processes), spending the API
 * budget of the platform user for everyone. So requests coalesce: while a refresh they asked for
 * is waiting for its turn, further requests join it (their parameters merged), and the refreshes
 * requests cause start at least `minIntervalMs` apart. A thousand requests in ten seconds then
 * cost three refreshes, not a thousand. The answer does not wait for any of it.
 */
import type { InvalidationRequest } from '../platform/types.ts'
import type { TargetStore } from './types.ts'

/** Counts of what was asked and what was done, for the status page and the own metrics. */
export interface InvalidationCounts {
  requested: number
  refreshes: number
}

/** Takes invalidation requests and turns them into spaced-out, coalesced refreshes. */
export interface InvalidationGate {
  /** Asks for an invalidation and refresh; resolves once the refresh that serves it has run. */
  request(query?: InvalidationRequest): Promise<void>
  counts(): InvalidationCounts
}

export interface InvalidationGateOptions {
  /** Least time between the starts of two refreshes caused by requests (ms). */
  minIntervalMs: number
  now?: () => number
  /** Called for every request, and for every refresh started (own metrics). */
  onRequest?: () => void
  onRefresh?: () => void
}

/** Creates the gate in front of `store`. */
export function createInvalidationGate(store: Pick<TargetStore, 'invalidate'>, options: InvalidationGateOptions): InvalidationGate {
  const now = options.now ?? Date.now
  const counts: InvalidationCounts = { requested: 0, refreshes: 0 }
  let lastStart = -Infinity
  /** What the waiting refresh will invalidate (`all`: everything), and that refresh. */
  let pending: { request: InvalidationRequest | 'all'; run: Promise<void> } | undefined

  const start = (request: InvalidationRequest | 'all') => {
    pending = undefined
    lastStart = now()
    counts.refreshes++
    options.onRefresh?.()
    return store.invalidate(request === 'all' ? undefined : request)
  }

  return {
    request(query) {
      counts.requested++
      options.onRequest?.()
      const request: InvalidationRequest | 'all' = query && Object.keys(query).length > 0 ? query : 'all'
      if (pending) {
        pending.request = merge(pending.request, request)
        return pending.run
      }
      const wait = lastStart + options.minIntervalMs - now()
      if (wait <= 0) return start(request)
      const waiting: { request: InvalidationRequest | 'all'; run: Promise<void> } = { request, run: Promise.resolve() }
      waiting.run = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait)
        ;(timer as { unref?: () => void }).unref?.()
      }).then(() => start(waiting.request))
      pending = waiting
      return waiting.run
    },
    counts: () => ({ ...counts }),
  }
}

/** The parameters of two requests together; a request for everything covers the other. */
function merge(a: InvalidationRequest | 'all', b: InvalidationRequest | 'all'): InvalidationRequest | 'all' {
  if (a === 'all' || b === 'all') return 'all'
  return { ...a, ...b }
}
