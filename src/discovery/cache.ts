/**
 * @module discovery/cache
 * Holds the last good picture of the scrape targets and refreshes it in the background. Scrapes
 * and `/discovery` always answer from the picture they find; only the very first discovery is
 * waited for, and concurrent refreshes share one run.
 */
import type { Logger } from '../log.ts'
import type { ScrapeTarget } from '../routing/classify.ts'
import type { DiscoveredApp, Discoverer, ResourceClass } from './types.ts'

/** The targets known at one moment. */
export interface TargetSnapshot {
  targets: ScrapeTarget[]
  byId: Map<string, ScrapeTarget>
  apps: DiscoveredApp[]
  /** When this picture was taken (ms since epoch); undefined before the first success. */
  refreshedAt?: number
}

/** Status of discovery for health checks and the status page. */
export interface DiscoveryStatus {
  ready: boolean
  refreshedAt?: number
  lastAttemptAt?: number
  lastError?: string
  lastDurationMs?: number
  refreshing: boolean
}

export interface TargetCache {
  /** The current picture; waits for the first discovery only (bounded by `firstWaitMs`). */
  current(): Promise<TargetSnapshot>
  /** The current picture without waiting. */
  peek(): TargetSnapshot
  /** Starts a refresh now (or joins the one running). */
  refresh(): Promise<void>
  /**
   * Forgets cached resources of these classes (all when omitted) and refreshes. A refresh already
   * running may have read them before: one more run follows it, shared by every caller meanwhile.
   */
  invalidate(classes?: readonly ResourceClass[]): Promise<void>
  status(): DiscoveryStatus
  /** Starts periodic refreshes; returns a function that stops them. */
  start(): () => void
}

export interface TargetCacheOptions {
  discoverer: Discoverer
  toTargets: (apps: DiscoveredApp[]) => ScrapeTarget[]
  intervalMs: number
  /** Delay before retrying after a failed refresh. */
  retryMs?: number
  /** Longest time a request waits for the first discovery before getting an empty picture. */
  firstWaitMs?: number
  logger: Logger
  now?: () => number
  onRefresh?: (outcome: { ok: boolean; durationMs: number; targets: number }) => void
}

const EMPTY: TargetSnapshot = { targets: [], byId: new Map(), apps: [] }

/** Creates the cache; nothing runs until `current()`, `refresh()` or `start()`. */
export function createTargetCache(options: TargetCacheOptions): TargetCache {
  const now = options.now ?? Date.now
  let snapshot = EMPTY
  let inFlight: Promise<void> | undefined
  let firstDone: Promise<void> | undefined
  const status: DiscoveryStatus = { ready: false, refreshing: false }

  const run = async () => {
    const started = now()
    status.refreshing = true
    status.lastAttemptAt = started
    try {
      const apps = await options.discoverer.discover()
      const targets = uniqueIds(options.toTargets(apps), options.logger)
      snapshot = { targets, byId: new Map(targets.map((t) => [t.id, t])), apps, refreshedAt: now() }
      status.ready = true
      status.refreshedAt = snapshot.refreshedAt
      status.lastError = undefined
      status.lastDurationMs = now() - started
      options.logger.info('discovery refreshed', { apps: apps.length, targets: targets.length, duration_ms: status.lastDurationMs })
      options.onRefresh?.({ ok: true, durationMs: status.lastDurationMs, targets: targets.length })
    } catch (error) {
      status.lastError = (error as Error).message
      status.lastDurationMs = now() - started
      options.logger.error(
        snapshot.refreshedAt === undefined
          ? 'discovery failed; serving no targets until it succeeds'
          : 'discovery failed; serving the last known targets',
        { error: status.lastError, age_s: snapshot.refreshedAt === undefined ? undefined : Math.round((now() - snapshot.refreshedAt) / 1000) },
      )
      options.onRefresh?.({ ok: false, durationMs: status.lastDurationMs, targets: snapshot.targets.length })
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

  let followUp: Promise<void> | undefined
  const invalidate = (classes?: readonly ResourceClass[]) => {
    options.discoverer.invalidate?.(classes)
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
    start() {
      let timer: ReturnType<typeof setTimeout> | undefined
      let stopped = false
      const loop = async () => {
        await refresh()
        if (stopped) return
        const delay = status.lastError ? (options.retryMs ?? 10_000) : options.intervalMs
        timer = setTimeout(loop, delay)
        ;(timer as { unref?: () => void }).unref?.()
      }
      void loop()
      return () => {
        stopped = true
        clearTimeout(timer)
      }
    },
  }
}

/**
 * Drops targets whose id (`appGuid:index`) was already seen. App GUIDs are unique across
 * foundations in practice (random v4 UUIDs); should two collide, the first foundation wins.
 */
function uniqueIds(targets: ScrapeTarget[], logger: Logger): ScrapeTarget[] {
  const seen = new Set<string>()
  return targets.filter((t) => {
    if (!seen.has(t.id)) {
      seen.add(t.id)
      return true
    }
    logger.warn('two instances have the same id; the second is not scraped', { id: t.id, app: t.appName })
    return false
  })
}
