/**
 * @module self/scrape-outcomes
 * The last scrape outcome of every target, as the status page shows it: fed by the scrape path
 * with each {@link ScrapeResult}, read by id. Each refresh of discovery keeps only the targets it
 * still knows ({@link ScrapeOutcomes.retain}), and a bound on the entries (least recently scraped
 * go first) covers whatever is scraped between two refreshes. A plain Map in scrape order: an
 * LRU cache sized for the bound would allocate its index arrays for all 100,000 entries up front
 * (2.8 MB of the idle heap with 3,000 targets, bench/memory.ts).
 *
 * Failure messages carry what a target answered (an excerpt of its error page), and a target may
 * echo the credentials it was sent: each message passes `redact` before it is kept, so neither the
 * status page nor its JSON can show one.
 */
import type { FailureReason } from '../scrape/failures.ts'
import type { ScrapeResult } from '../scrape/types.ts'

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
  /** Forgets every target but these (called with the targets of each new discovery picture). */
  retain(ids: ReadonlySet<string> | ReadonlyMap<string, unknown>): void
  size(): number
}

/** Creates the store; `max` bounds the number of targets remembered, `redact` cleans failure messages. */
export function createScrapeOutcomes(options: { max?: number; now?: () => number; redact?: (text: string) => string } = {}): ScrapeOutcomes {
  const now = options.now ?? Date.now
  const redact = options.redact ?? ((text: string) => text)
  const max = options.max ?? 100_000
  // Insertion order is scrape order: an entry is re-inserted when recorded, so the first is the stalest.
  const entries = new Map<string, ScrapeOutcome>()
  const put = (id: string, outcome: ScrapeOutcome): void => {
    entries.delete(id)
    entries.set(id, outcome)
    if (entries.size > max) entries.delete(entries.keys().next().value as string)
  }
  return {
    record(result) {
      const outcome: ScrapeOutcome = { ok: result.ok, at: now(), durationMs: result.durationMs, bytes: result.bytes }
      if (!result.ok) {
        outcome.reason = result.reason
        outcome.error = redact(result.message)
        if (result.status !== undefined) outcome.status = result.status
      }
      put(result.target.id, outcome)
    },
    recordParseError(id, message) {
      const previous = entries.get(id)
      if (previous) entries.set(id, { ...previous, ok: false, reason: 'parse_error', error: redact(message) })
    },
    get: (id) => entries.get(id),
    retain(ids) {
      for (const id of entries.keys()) if (!ids.has(id)) entries.delete(id)
    },
    size: () => entries.size,
  }
}
