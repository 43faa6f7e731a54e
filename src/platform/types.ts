/**
 * @module platform/types
 * The seam between platforms and the rest of the pipeline. A platform entry (one Cloud Foundry
 * foundation, one Heroku account, ...) turns its part of the configuration into routed
 * {@link ScrapeTarget}s; the targets stage combines the entries, keeps the last good picture of
 * each, and refreshes them on a schedule. Everything a platform knows about its API stays in its
 * own folder (`platform/<name>/`); only `platform/index.ts` assembles them.
 */
import type { Logger } from '../log.ts'
import type { ScrapeTarget } from '../model/target.ts'

/** An app the platform selected but cannot scrape, and why (shown on the status page, logged once). */
export interface DiscoveryProblem {
  /** Where the app lives, as display text (`org/space`, `team/space`). */
  where: string
  app: string
  reason: string
}

/** What one discovery run of one platform entry found. */
export interface Discovery {
  targets: ScrapeTarget[]
  /** Apps selected (each with zero or more targets). */
  apps: number
  /** Selected apps that yield no target, with the reason. */
  problems: DiscoveryProblem[]
}

/**
 * What `GET /cache/invalidate` asked to forget, as its query parameters; a platform reads the ones
 * it knows (Cloud Foundry: `org`, `space`, `application`, ...). Undefined or empty: everything.
 */
export type InvalidationRequest = Readonly<Record<string, string | undefined>>

/** A fact about a platform entry worth showing on the status page (e.g. a capability it lacks). */
export interface PlatformNote {
  level: 'info' | 'warn'
  text: string
}

/** How a platform entry describes itself on the status page. */
export interface PlatformInfo {
  /** The kind of platform, e.g. `cf`, `heroku`. */
  kind: string
  /** The API it discovers through (a URL). */
  api: string
  notes: PlatformNote[]
}

/**
 * The product's own app on this platform entry, when this process runs as one of several
 * instances of it: the own metrics of every instance, each reachable as a target through the
 * platform's router (see self/replicas.ts).
 */
export interface OwnInstances {
  /** This process's instance index. */
  readonly ownIndex: number
  /** One target per instance of the own app, its URL the own-metrics endpoint; rejects when the platform's API cannot tell how many there are. */
  targets(): Promise<ScrapeTarget[]>
}

/** One platform entry. */
export interface Platform {
  /** The entry's name: a foundation's `name`, or `default` for a single block. */
  readonly name: string
  /** Longest time between two discoveries this entry wants (ms). */
  readonly refreshIntervalMs: number
  /** Discovers the entry's targets; rejects when its API fails (the last good picture is then kept). */
  discover(): Promise<Discovery>
  /** Forgets cached API results so the next run reads them again. */
  invalidate(request?: InvalidationRequest): void
  info(): PlatformInfo
  /** Present when the product itself runs as an app of this entry (e.g. `VCAP_APPLICATION` names its API). */
  readonly ownInstances?: OwnInstances
}

/** One HTTP request to a platform's API, for the own metrics. */
export interface ApiRequestEvent {
  /** Path without query and ids, e.g. `/v3/apps`. */
  endpoint: string
  status: number | 'error'
  durationMs: number
}

/** What a platform reports about its API traffic (the own metrics listen). */
export interface PlatformObserver {
  apiRequest(entry: string, event: ApiRequestEvent): void
  tokenRequest(entry: string, grant: string, outcome: 'ok' | 'error'): void
}

/** What every platform gets from the assembly. */
export interface PlatformDeps {
  /** Outbound fetch for the platform's API (counted, secrets captured). */
  fetch: typeof fetch
  logger: Logger
  now?: () => number
  observer?: PlatformObserver
  /** Collects garbage after large API responses (the Bun entry passes a full collection). */
  collectGarbage?: () => void
  /** Whether targets carry the entry's name (`foundation` label): true when more than one entry is configured. */
  labelled: boolean
  /** Reaches apps the way scrapes do (through `promregator.scraping.proxy`), for questions to a platform's router. */
  routerFetch?: typeof fetch
  /** The process's environment, where a platform finds out whether the product runs on it. */
  env?: Readonly<Record<string, string | undefined>>
}
