/**
 * @module aggregate/scrape-all
 * `/metrics` without HTTP: scrape every target, each body scanned as its scrape ends (while the
 * others are still in flight, so scanning overlaps the waiting instead of following the last
 * scrape), then one merge into a single document. Concurrency is bounded once, in the scraper
 * (`promregator.scraping.threads`). The phases are reported to `phase` for `Server-Timing`.
 * A scraper that prefers protobuf (native histograms) gets one protobuf document when every
 * instance answers in protobuf; a text-only instance makes the answer text, the others asked again.
 */
import { negotiate, prefersProtobuf, PROTOBUF_CONTENT_TYPE, type Negotiated } from '../exposition/negotiate.ts'
import type { ScrapeTarget } from '../model/target.ts'
import type { ScrapeLimits, ScrapeResult, Scraper } from '../scrape/types.ts'
import { mergedBody, mergedProtobufBody, prepareForMerge, type MergedBody, type MergeInput } from './bodies.ts'

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

/** What `/metrics` answers: the merged body and its exact Content-Type. */
export interface MetricsAnswer extends Omit<MergedBody, 'body'> {
  body: string | Uint8Array
  contentType: string
}

/**
 * Scrapes `targets` and merges their bodies, with their labels and our own metrics, in the format
 * the scraper's `accept` prefers. A scraper that prefers protobuf (Prometheus with native
 * histograms) gets protobuf when every instance answers it; otherwise the answer is text.
 */
export async function scrapeAndMerge(targets: readonly ScrapeTarget[], accept: string | undefined, options: ScrapeAllOptions): Promise<MetricsAnswer> {
  const answer = negotiate(accept)
  if (accept !== undefined && prefersProtobuf(accept)) return scrapeProtobufFirst(targets, accept, answer, options)
  options.phase?.start('scrape', `scraping ${targets.length} instances and scanning each body as it arrives`)
  // One caller for all of this answer's scrapes: they take turns with other requests' scrapes.
  const limits: ScrapeLimits = { ...options.limits, caller: {} }
  const inputs = await Promise.all(targets.map((t) => scrapeOne(t, limits, options).then((result) => prepareForMerge(result, answer.escaping))))
  options.phase?.end('scrape')
  return { ...mergeText(inputs, answer, options), contentType: answer.contentType }
}

/** One scrape, recorded as it ends. */
function scrapeOne(target: ScrapeTarget, limits: ScrapeLimits, options: ScrapeAllOptions): Promise<ScrapeResult> {
  return options.scraper.scrape(target, options.signal, limits).then((result) => {
    options.record?.(result)
    return result
  })
}

/** The merge phase of a text answer. */
function mergeText(inputs: MergeInput[], answer: Negotiated, options: ScrapeAllOptions): MergedBody {
  options.phase?.start('merge', 'merging the bodies with their labels into one document')
  const merged = mergedBody(inputs, answer.format, answer.escaping)
  options.phase?.end('merge')
  return merged
}

/**
 * Every instance asked with the scraper's Accept (protobuf first). All answering protobuf (or
 * failing): one protobuf answer, native histograms intact. Some answering text only: a text answer
 * in `fallback`, the instances that answered protobuf asked again for text.
 */
async function scrapeProtobufFirst(targets: readonly ScrapeTarget[], accept: string, fallback: Negotiated, options: ScrapeAllOptions): Promise<MetricsAnswer> {
  options.phase?.start('scrape', `scraping ${targets.length} instances, protobuf first`)
  const caller = {}
  let results = await Promise.all(targets.map((t) => scrapeOne(t, { ...options.limits, caller, accept }, options)))
  if (results.some((r) => r.ok && r.format !== 'protobuf')) {
    const again: ScrapeLimits = { ...options.limits, caller }
    results = await Promise.all(results.map((r) => (r.ok && r.format === 'protobuf' ? scrapeOne(r.target, again, options) : r)))
    options.phase?.end('scrape')
    return { ...mergeText(results.map((r) => prepareForMerge(r, fallback.escaping)), fallback, options), contentType: fallback.contentType }
  }
  options.phase?.end('scrape')
  options.phase?.start('merge', 'merging the protobuf bodies with their labels into one')
  const merged = mergedProtobufBody(results)
  options.phase?.end('merge')
  return { ...merged, contentType: PROTOBUF_CONTENT_TYPE }
}
