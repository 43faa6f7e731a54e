/**
 * @module scrape/limits
 * Resource bounds of scraping that are not about a single request: the defaults of the response
 * size and redirect limits, and the cap on scrapes in flight at once (whatever asks for them:
 * `/metrics`, `/singleTargetMetrics`, many Prometheus servers at a time).
 */
import pLimit from 'p-limit'
import type { Scraper } from './scraper.ts'

/** Default largest body accepted from one instance (bytes, after decompression). */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024

/** Default number of redirects followed before a scrape fails. */
export const DEFAULT_MAX_REDIRECTS = 5

/** A scraper whose in-flight scrapes are capped, with counters for status pages and tests. */
export interface LimitedScraper extends Scraper {
  /** Scrapes running right now. */
  activeCount(): number
  /** Scrapes waiting for a free slot. */
  pendingCount(): number
}

/**
 * Wraps a scraper so that at most `max` scrapes run at once; the rest wait in arrival order. The
 * wait does not count against the scrape's own time bounds: a long queue slows `/metrics` down
 * rather than marking healthy instances as timed out.
 */
export function limitConcurrency(scraper: Scraper, max: number): LimitedScraper {
  const limit = pLimit(Math.max(1, Math.floor(max)))
  return {
    scrape: (target, signal) => limit(() => scraper.scrape(target, signal)),
    activeCount: () => limit.activeCount,
    pendingCount: () => limit.pendingCount,
  }
}
