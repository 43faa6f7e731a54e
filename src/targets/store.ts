/**
 * @module targets/store
 * Holds the last good picture of the scrape targets. Scrapes and `/discovery` always answer from
 * the picture they find; only the very first discovery is waited for (bounded), and concurrent
 * refreshes share one run. Observers (own metrics, the outcome store, the runtime's garbage
 * collection) subscribe to refreshes instead of being wired into the run. The schedule lives in
 * targets/refresh.ts.
 */
import type { Logger } from '../log.ts'
import type { InvalidationRequest } from '../platform/types.ts'
import { uniqueTargets } from './dedupe.ts'
import type { DiscoveryStatus, RefreshOutcome, TargetSnapshot, TargetSource, TargetStore } from './types.ts'

export interface TargetStoreOptions {
  source: TargetSource
  /** Longest time a request waits for the first discovery before getting an empty picture (ms); default 30 s. */
  firstWaitMs?: number
  logger: Logger
  now?: () => number
}

const EMPTY: TargetSnapshot = { targets: [], byId: new Map(), apps: 0, problems: [] }

/** Creates the store; nothing runs until `current()`, `refresh()` or `invalidate()`. */
export function createTargetStore(options: TargetStoreOptions): TargetStore {
  const now = options.now ?? Date.now
  const listeners = new Set<(outcome: RefreshOutcome) => void>()
  let snapshot = EMPTY
  let inFlight: Promise<void> | undefined
  let firstDone: Promise<void> | undefined
  let followUp: Promise<void> | undefined
  const status: DiscoveryStatus = { ready: false, refreshing: false }

  const tell = (outcome: RefreshOutcome) => {
    for (const listener of listeners) listener(outcome)
  }

  const run = async () => {
    const started = now()
    status.refreshing = true
    status.lastAttemptAt = started
    try {
      const discovery = await options.source.discover()
      const targets = uniqueTargets(discovery.targets, options.logger)
      snapshot = { targets, byId: new Map(targets.map((t) => [t.id, t])), apps: discovery.apps, problems: discovery.problems, refreshedAt: now() }
      status.ready = true
      status.refreshedAt = snapshot.refreshedAt
      status.lastError = undefined
      status.lastDurationMs = now() - started
      options.logger.info('discovery refreshed', { apps: discovery.apps, targets: targets.length, duration_ms: status.lastDurationMs })
      tell({ ok: true, durationMs: status.lastDurationMs, snapshot })
    } catch (error) {
      status.lastError = (error as Error).message
      status.lastDurationMs = now() - started
      options.logger.error(
        snapshot.refreshedAt === undefined
          ? 'discovery failed; serving no targets until it succeeds'
          : 'discovery failed; serving the last known targets',
        { error: status.lastError, age_s: snapshot.refreshedAt === undefined ? undefined : Math.round((now() - snapshot.refreshedAt) / 1000) },
      )
      tell({ ok: false, durationMs: status.lastDurationMs, snapshot })
    } finally {
      status.refreshing = false
    }
  }

  const refresh = () => {
    inFlight ??= run().finally(() => {
      inFlight = undefined
    })
    return inFlight
  }

  const invalidate = (request?: InvalidationRequest) => {
    options.source.invalidate(request)
    if (!inFlight) return refresh()
    followUp ??= inFlight.then(() => {
      followUp = undefined
      return refresh()
    })
    return followUp
  }

  return {
    async current() {
      if (!status.ready) {
        firstDone ??= refresh()
        const wait = options.firstWaitMs ?? 30_000
        let timer: ReturnType<typeof setTimeout> | undefined
        await Promise.race([firstDone, new Promise<void>((r) => (timer = setTimeout(r, wait)))])
        clearTimeout(timer)
        if (!status.ready) firstDone = undefined // a later request starts a new attempt
      }
      return snapshot
    },
    peek: () => snapshot,
    refresh,
    invalidate,
    status: () => ({ ...status }),
    subscribe(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
  }
}
