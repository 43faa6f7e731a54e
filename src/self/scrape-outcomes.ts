/**
 * @module self/scrape-outcomes
 * The last scrape outcome of every target, as the status page shows it: fed by the scrape path
 * with each {@link ScrapeResult}, read by id. Bounded (least recently scraped entries go first),
 * so targets that vanished from discovery cannot make it grow without end.
 */
import { LRUCache } from 'lru-cache'
import type { FailureReason, ScrapeResult } from '../scrape/scraper.ts'

/** What is kept of one scrape. */
export interface ScrapeOutcome {
  ok: boolean
  /** When the scrape ended (ms since epoch). */
  at: number
  durationMs: number
  bytes: number
  reason?: FailureReason | 'parse_error'
  /** Human-readable failure, as logged. */
  error?: string
  status?: number
}

export interface ScrapeOutcomes {
  record(result: ScrapeResult): void
  /** Marks the last successful scrape of `id` as failed because its body could not be parsed. */
  recordParseError(id: string, message: string): void
  get(id: string): ScrapeOutcome | undefined
  size(): number
}

/** Creates the store; `max` bounds the number of targets remembered. */
export function createScrapeOutcomes(options: { max?: number; now?: () => number } = {}): ScrapeOutcomes {
  const now = options.now ?? Date.now
  const entries = new LRUCache<string, ScrapeOutcome>({ max: options.max ?? 100_000 })
  return {
    record(result) {
      const outcome: ScrapeOutcome = { ok: result.ok, at: now(), durationMs: result.durationMs, bytes: result.bytes }
      if (!result.ok) {
        outcome.reason = result.reason
        outcome.error = result.message
        if (result.status !== undefined) outcome.status = result.status
      }
      entries.set(result.target.id, outcome)
    },
    recordParseError(id, message) {
      const previous = entries.get(id)
      if (previous) entries.set(id, { ...previous, ok: false, reason: 'parse_error', error: message })
    },
    get: (id) => entries.get(id),
    size: () => entries.size,
  }
}
