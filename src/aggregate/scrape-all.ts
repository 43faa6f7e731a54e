/**
 * @module aggregate/scrape-all
 * `/metrics` without HTTP: scrape every target, each body scanned as its scrape ends (while the
 * others are still in flight, so scanning overlaps the waiting instead of following the last
 * scrape), then one merge into a single document. Concurrency is bounded once, in the scraper
 * (`promregator.scraping.threads`). The phases are reported to `phase` for `Server-Timing`.
 */
import type { Escaping, Format } from '../exposition/types.ts'
import type { ScrapeTarget } from '../model/target.ts'
import type { ScrapeLimits, ScrapeResult, Scraper } from '../scrape/types.ts'
import { mergedBody, prepareForMerge, type MergedBody } from './bodies.ts'

export interface ScrapeAllOptions {
  scraper: Scraper
  /** Called with every result as it arrives (outcomes, metrics, logs). */
  record?: (result: ScrapeResult) => void
  /** The caller gave up (its client went away): scrapes in flight are aborted. */
  signal?: AbortSignal
  /** Bounds every scrape (the caller's own deadline). */
  limits?: ScrapeLimits
  /** Marks the start and end of a phase (`scrape`, `merge`), e.g. for Server-Timing. */
  phase?: { start(name: 'scrape' | 'merge', description: string): void; end(name: 'scrape' | 'merge'): void }
}

/** Scrapes `targets` and merges their bodies, with their labels and our own metrics, in `format` with names as `escaping` says. */
export async function scrapeAndMerge(targets: readonly ScrapeTarget[], { format, escaping }: { format: Format; escaping: Escaping }, options: ScrapeAllOptions): Promise<MergedBody> {
  options.phase?.start('scrape', `scraping ${targets.length} instances and scanning each body as it arrives`)
  // One caller for all of this answer's scrapes: they take turns with other requests' scrapes.
  const limits: ScrapeLimits = { ...options.limits, caller: {} }
  const inputs = await Promise.all(
    targets.map((t) =>
      options.scraper.scrape(t, options.signal, limits).then((result) => {
        options.record?.(result)
        return prepareForMerge(result, escaping)
      }),
    ),
  )
  options.phase?.end('scrape')
  options.phase?.start('merge', 'merging the bodies with their labels into one document')
  const merged = mergedBody(inputs, format, escaping)
  options.phase?.end('merge')
  return merged
}
