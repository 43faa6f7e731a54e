/**
 * @module model/target
 * The one kind of data every stage after discovery sees: a scrape target, platform-neutral. A
 * platform (Cloud Foundry, Heroku, ...) turns its records into these and nothing later asks which
 * platform a target came from: `/discovery` writes {@link ScrapeTarget.discoveryLabels}, `/metrics`
 * and the single-target endpoint add {@link ScrapeTarget.labels} to samples, the status page shows
 * {@link ScrapeTarget.display}, the scraper sends {@link ScrapeTarget.url} with its headers. As
 * Prometheus's discovery mechanisms all emit the same narrow target group.
 */

/** What the status page shows of a target: where it lives and how it is reached, as display text. */
export interface TargetDisplay {
  /** The platform entry the target belongs to (a foundation's name, `default` for a single one). */
  platform: string
  /** The owner of the app: a Cloud Foundry organization, a Heroku team. */
  owner: string
  /** Where the app lives within its owner: a Cloud Foundry space, a Heroku Private Space. */
  space: string
  app: string
  /** The instance within the app: an instance index, a dyno name. */
  instance: string
  /** How the instance is reached: the route or host scraped through. */
  route: string
  /** `internal`: straight over the platform's private network; `external`: through its router. */
  network: 'internal' | 'external'
}

/** One instance, ready to scrape. Plain data, shared read-only by every later stage. */
export interface ScrapeTarget {
  /**
   * Unique over every platform: `<first>:<second>`, where the two parts are the two path segments
   * of its single-target endpoint (see {@link singleTargetPath}); e.g. `<appGuid>:<index>`.
   */
  id: string
  /** The URL the scrape requests. */
  url: string
  /** Headers the scrape sends besides the scraper's own and the authenticator's (e.g. an instance-routing header). */
  headers: Readonly<Record<string, string>>
  /** Name of the authenticator (`promregator.targetAuthenticators[].id`); undefined: the global one. */
  authenticatorId?: string
  /**
   * The URL's host resolves only on the platform's private network (a Cloud Foundry internal
   * domain, a Heroku dyno name): a forward proxy outside the platform cannot reach it, so
   * `promregator.scraping.proxy` is not used for it unless `proxyInternalRoutes` says so.
   */
  privateNetwork?: boolean
  /**
   * The platform knows the instance does not run (a Heroku dyno `crashed`, `starting`, ...): it is
   * listed and reported down with this reason, and never contacted.
   */
  down?: string
  /** Labels added to every sample of this target in `/metrics` (and `/singleTargetMetrics` with label enrichment). */
  labels: Readonly<Record<string, string>>
  /** Labels this target carries in `/discovery`, with their full names (`__meta_promregator_target_*`). */
  discoveryLabels: Readonly<Record<string, string>>
  display: TargetDisplay
}

/** Prefix of the proxy endpoint of one instance. */
const SINGLE_TARGET_PREFIX = '/singleTargetMetrics/'

/** `/singleTargetMetrics/<first>/<second>` for a target whose id is `<first>:<second>`. */
export function singleTargetPath(target: Pick<ScrapeTarget, 'id'>): string {
  const colon = target.id.indexOf(':')
  return `${SINGLE_TARGET_PREFIX}${target.id.slice(0, colon)}/${target.id.slice(colon + 1)}`
}
