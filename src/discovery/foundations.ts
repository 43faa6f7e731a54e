/**
 * @module discovery/foundations
 * Discovery over every configured foundation: one client and one resolver per foundation, run
 * concurrently. A foundation whose API fails keeps contributing its last good apps while the
 * others refresh; only when every foundation fails does the run fail (and the cache keeps the
 * whole last picture). Apps carry their foundation's name when more than one is configured.
 */
import type { CfRequestEvent } from '../cf/client.ts'
import { createFoundationClient, foundationsOf } from '../cf/foundations.ts'
import type { CfConfig, Config } from '../config/schema.ts'
import type { Logger } from '../log.ts'
import { createCfDiscoverer, type CacheTimeouts } from './resolve.ts'
import { RESOURCE_CLASSES, type DiscoveredApp, type Discoverer, type ResourceClass } from './types.ts'

/** How one foundation's discovery is doing. */
export interface FoundationStatus {
  name: string
  /** Last successful discovery of this foundation (ms since epoch). */
  lastSuccessAt?: number
  lastError?: string
}

/** A discoverer over several foundations, with their individual status. */
export interface FoundationsDiscoverer extends Discoverer {
  statuses(): FoundationStatus[]
  /** True when more than one foundation is configured (labels then name the foundation). */
  readonly labelled: boolean
}

export interface CombineOptions {
  logger: Logger
  now?: () => number
  /** Stamp each app with its foundation's name (when more than one is configured). */
  labelled: boolean
}

/** Combines per-foundation discoverers. */
export function combineFoundations(foundations: Array<{ name: string; discoverer: Discoverer }>, options: CombineOptions): FoundationsDiscoverer {
  const now = options.now ?? Date.now
  const state = foundations.map((f) => ({ ...f, status: { name: f.name } as FoundationStatus, apps: undefined as DiscoveredApp[] | undefined }))
  return {
    labelled: options.labelled,
    async discover() {
      const outcomes = await Promise.allSettled(state.map((f) => f.discoverer.discover()))
      const errors: string[] = []
      outcomes.forEach((outcome, i) => {
        const f = state[i]!
        if (outcome.status === 'fulfilled') {
          f.apps = options.labelled ? outcome.value.map((app) => ({ ...app, foundation: f.name })) : outcome.value
          f.status = { name: f.name, lastSuccessAt: now() }
          return
        }
        const message = (outcome.reason as Error)?.message ?? String(outcome.reason)
        f.status = { ...f.status, lastError: message }
        errors.push(state.length > 1 ? `${f.name}: ${message}` : message)
        if (state.length > 1) {
          options.logger.error(f.apps ? 'discovery of a foundation failed; serving its last known targets' : 'discovery of a foundation failed; none of its targets are known yet', {
            foundation: f.name,
            error: message,
          })
        }
      })
      if (errors.length === state.length) throw new Error(errors.join('; '))
      return state.flatMap((f) => f.apps ?? [])
    },
    invalidate(classes?: readonly ResourceClass[]) {
      for (const f of state) f.discoverer.invalidate?.(classes)
    },
    statuses: () => state.map((f) => ({ ...f.status })),
  }
}

export interface DiscoveryDeps {
  fetch: typeof fetch
  logger: Logger
  now?: () => number
  /** Every CC request, with the foundation it went to. */
  onRequest?: (foundation: string, event: CfRequestEvent) => void
  /** Every UAA token request, with the foundation it went to. */
  onTokenRequest?: (foundation: string, grant: string, outcome: 'ok' | 'error') => void
  /** The fetch for one foundation's CC and UAA traffic (e.g. through its `cf.proxy`); default `fetch`. */
  fetchFor?: (settings: CfConfig) => typeof fetch
  /** Collects garbage after large Cloud Controller responses (see `CfClientOptions.collectGarbage`). */
  collectGarbage?: () => void
}

/** What assemble needs to run discovery. */
export interface DiscoverySetup {
  discoverer: FoundationsDiscoverer
  /** Time between background runs: the smallest `cf.cache.timeout.*` (and `promregator.discovery.refreshInterval`). */
  intervalMs: number
  /** Delay before the next attempt after a failed run. */
  retryMs: number
}

/** One client and resolver per foundation, combined. */
export function createDiscovery(config: Config, deps: DiscoveryDeps): DiscoverySetup {
  const foundations = foundationsOf(config)
  const labelled = foundations.length > 1
  const targets = config.promregator.targets.map((target, index) => ({ index, target }))
  const parts = foundations.map((foundation) => {
    const client = createFoundationClient(foundation, {
      fetch: deps.fetchFor?.(foundation.settings) ?? deps.fetch,
      onRequest: deps.onRequest && ((event) => deps.onRequest!(foundation.name, event)),
      onTokenRequest: deps.onTokenRequest && ((grant, outcome) => deps.onTokenRequest!(foundation.name, grant, outcome)),
      collectGarbage: deps.collectGarbage,
    })
    const timeouts = foundation.settings.cache.timeout
    const cacheTimeouts = Object.fromEntries(RESOURCE_CLASSES.map((cls) => [cls, timeouts[cls] * 1000])) as CacheTimeouts
    const mine = targets.filter(({ target }) => !labelled || target.foundation === foundation.name)
    const discoverer = createCfDiscoverer({
      client,
      targets: mine,
      logger: deps.logger,
      cacheTimeouts,
      requestTimeouts: foundation.settings.request.timeout,
      now: deps.now,
    })
    return { name: foundation.name, discoverer, smallestTimeoutMs: Math.min(...Object.values(cacheTimeouts)) }
  })
  const intervalMs = Math.min(config.promregator.discovery.refreshInterval * 1000, ...parts.map((p) => p.smallestTimeoutMs))
  return {
    discoverer: combineFoundations(parts, { logger: deps.logger, now: deps.now, labelled }),
    intervalMs,
    retryMs: Math.min(10_000, intervalMs),
  }
}
