/**
 * @module self/scrape-recorder
 * What happens with every scrape result, whichever endpoint asked for it: its outcome is kept for
 * the status page, it is counted and timed in the own metrics, and a failure is logged at the
 * level its reason deserves. A body that came back fine but cannot be used (it does not parse)
 * is recorded as such afterwards.
 */
import type { Logger } from '../log.ts'
import { failureLogLevel } from '../scrape/failures.ts'
import type { ScrapeResult } from '../scrape/types.ts'
import type { SelfMetrics } from './metrics.ts'
import type { ScrapeOutcomes } from './scrape-outcomes.ts'

/** Records scrape results. */
export interface ScrapeRecorder {
  record(result: ScrapeResult): void
  /** The body of `id`'s last scrape could not be used: the instance counts as down for `message`. */
  parseError(id: string, message: string, what: string): void
}

/** Creates the recorder over the outcome store, the own metrics and the logger. */
export function createScrapeRecorder(deps: { outcomes: ScrapeOutcomes; metrics: SelfMetrics; logger: Logger }): ScrapeRecorder {
  const { outcomes, metrics, logger } = deps
  return {
    record(result) {
      const outcome = result.ok ? 'success' : 'failure'
      outcomes.record(result)
      metrics.scrapes.inc({ outcome })
      metrics.scrapeDuration.observe({ outcome }, result.durationMs / 1000)
      if (!result.ok) {
        metrics.scrapeErrors.inc({ reason: result.reason })
        logger[failureLogLevel(result.reason)]('scrape failed', { target: result.target.id, app: result.target.display.app, url: result.target.url, reason: result.reason, error: result.message })
      }
    },
    parseError(id, message, what) {
      outcomes.recordParseError(id, message)
      metrics.scrapeErrors.inc({ reason: 'parse_error' })
      logger.warn(what, { target: id, error: message })
    },
  }
}
