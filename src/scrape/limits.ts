/**
 * @module scrape/limits
 * The cap on scrapes in flight at once, whatever asks for them: `/metrics`,
 * `/singleTargetMetrics`, many Prometheus servers at a time.
 */
import pLimit from 'p-limit'
import type { LimitedScraper, Scraper } from './types.ts'

/**
 * Wraps a scraper so that at most `max` scrapes run at once; the rest wait in arrival order. The
 * wait does not count against the scrape's own time bounds: a long queue slows `/metrics` down
 * rather than marking healthy instances as timed out.
 */
export function limitConcurrency(scraper: Scraper, max: number): LimitedScraper {
  const limit = pLimit(Math.max(1, Math.floor(max)))
  return {
    scrape: (target, signal, limits) => limit(() => scraper.scrape(target, signal, limits)),
    activeCount: () => limit.activeCount,
    pendingCount: () => limit.pendingCount,
  }
}
