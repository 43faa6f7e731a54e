/**
 * @module self/replicas
 * The own metrics of every instance of the product, from any instance. Run as several instances
 * of one app behind a router that balances at random, `/promregatorMetrics` answers from a
 * different process at every scrape; here instance `i`'s own metrics are served at
 * `/promregatorMetrics/instances/<i>` by whichever instance receives the request: its own from
 * memory, a sibling's fetched through the platform's router (the platform builds the target, e.g.
 * Cloud Foundry's `X-CF-APP-INSTANCE` of the own app). The list of instances is read again after
 * each discovery refresh; when that fails, the last list is kept.
 */
import type { Logger } from '../log.ts'
import type { ScrapeTarget } from '../model/target.ts'
import type { OwnInstances } from '../platform/types.ts'
import type { Scraper, ScrapeLimits, ScrapeResult } from '../scrape/types.ts'

/** The instances of the product's own app. */
export interface Replicas {
  /** This process's instance index. */
  readonly ownIndex: number
  /** One target per instance, as last read (empty until the first read succeeds). */
  targets(): readonly ScrapeTarget[]
  /** Instance `index`'s target, if it exists. */
  target(index: number): ScrapeTarget | undefined
  /** Fetches a sibling's own metrics (through the router, with the inbound credentials of `/promregatorMetrics`). */
  scrape(target: ScrapeTarget, signal?: AbortSignal, limits?: ScrapeLimits): Promise<ScrapeResult>
  /** Reads the list of instances again; never rejects. */
  refresh(): Promise<void>
  /** Called whenever the list of instances changes. */
  subscribe(listener: () => void): void
}

export interface ReplicasOptions {
  source: OwnInstances
  /** Scrapes siblings; its authenticator sends what `/promregatorMetrics` demands here (replicas share the configuration). */
  scraper: Scraper
  logger: Logger
}

/** Creates the list; nothing is requested before the first {@link Replicas.refresh}. */
export function createReplicas(options: ReplicasOptions): Replicas {
  const { source, logger } = options
  let current: readonly ScrapeTarget[] = []
  let lastError: string | undefined
  const listeners: Array<() => void> = []
  return {
    ownIndex: source.ownIndex,
    targets: () => current,
    target: (index) => current[index],
    scrape: (target, signal, limits) => options.scraper.scrape(target, signal, limits),
    subscribe: (listener) => void listeners.push(listener),
    async refresh() {
      try {
        const next = await source.targets()
        lastError = undefined
        if (next.length === current.length && next.every((t, i) => t.url === current[i]?.url && t.id === current[i]?.id)) return
        current = next
        logger.info('instances of this app whose own metrics are offered', { instances: next.length, own_index: source.ownIndex })
        for (const listener of listeners) listener()
      } catch (error) {
        const message = (error as Error).message
        // Once per distinct failure, not at every refresh.
        if (message !== lastError) logger.warn('could not read the instances of this app; the own metrics of the others are served from the last list', { error: message, instances: current.length })
        lastError = message
      }
    },
  }
}
