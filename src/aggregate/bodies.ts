/**
 * @module aggregate/bodies
 * Turns scrape results into exposition bodies: the single-target response (the instance's body
 * passed through with our two metrics appended, or enriched with the instance labels when
 * `promregator.scraping.labelEnrichment` is on) and the merged `/metrics` document of all instances.
 */
import { appendFamilies, enrichBody } from '../exposition/append.ts'
import { mergeBodies, type BodySource, type MergeConflict } from '../exposition/merge.ts'
import { scanBody } from '../exposition/parse.ts'
import type { ScannedBody } from '../exposition/raw.ts'
import type { Format, MetricFamily } from '../exposition/types.ts'
import { writeExposition } from '../exposition/write.ts'
import type { ScrapeResult } from '../scrape/types.ts'

/** `promregator_up` and `promregator_scrape_duration_seconds` of one scrape, with optional labels. */
export function ownFamilies(results: Array<{ result: ScrapeResult; up: boolean; labels: Record<string, string> }>): MetricFamily[] {
  return [
    {
      name: 'promregator_up',
      type: 'gauge',
      help: 'Whether the app instance could be scraped (1) or not (0).',
      samples: results.map(({ up, labels }) => ({ name: 'promregator_up', labels, value: up ? 1 : 0 })),
    },
    {
      name: 'promregator_scrape_duration_seconds',
      type: 'gauge',
      help: 'Duration of the scrape of the app instance.',
      samples: results.map(({ result, labels }) => ({
        name: 'promregator_scrape_duration_seconds',
        labels,
        value: Math.round(result.durationMs) / 1000,
      })),
    },
  ]
}

/** Result of {@link singleTargetBody}. */
export interface SingleTargetBody {
  body: string
  format: Format
  /** Set when the instance's body had to be parsed and could not be (the instance then counts as down). */
  parseError?: string
  /** Families of the instance dropped because one of ours has the same name and another type. */
  conflicts?: MergeConflict[]
}

/**
 * The body of one instance with our metrics appended. Without `enrich`, the instance's body passes
 * through unparsed and is converted only when the client cannot read its format. With `enrich`, it
 * is parsed and every sample (ours included) gets the instance labels, as on `/metrics`.
 */
export function singleTargetBody(result: ScrapeResult, wanted: Format, enrich = false): SingleTargetBody {
  const labels = enrich ? { ...result.target.labels } : {}
  const down = (): MetricFamily[] => ownFamilies([{ result, up: false, labels }])
  if (!result.ok) return { body: writeExposition(down(), wanted), format: wanted }
  const own = ownFamilies([{ result, up: true, labels }])
  if (!enrich && (result.format === wanted || result.format === 'text')) {
    return { body: appendFamilies(result.body, result.format, own), format: result.format }
  }
  const r = enrichBody(result.body, result.format, labels, own, wanted)
  if (!r.ok) {
    return { body: writeExposition(down(), wanted), format: wanted, parseError: `line ${r.error.line}, column ${r.error.column}: ${r.error.message}` }
  }
  return { body: r.body, format: wanted, conflicts: r.conflicts }
}

export interface MergedBody {
  body: string
  conflicts: MergeConflict[]
  /** Instances whose body could not be parsed (they count as down). */
  parseErrors: Array<{ id: string; message: string }>
}

/** One instance's scrape made ready for the merge: its body scanned, or why it could not be. */
export interface MergeInput {
  result: ScrapeResult
  /** The scanned body of a successful scrape that parses. */
  scanned?: ScannedBody
  /** Why a successful scrape's body does not parse (the instance then counts as down). */
  parseError?: string
}

/**
 * Scans the body of one scrape for {@link mergedBody}. `/metrics` calls it as each scrape
 * finishes, so scanning overlaps the scrapes still in flight instead of following the last one.
 */
export function prepareForMerge(result: ScrapeResult): MergeInput {
  if (!result.ok) return { result }
  const scanned = scanBody(result.body, result.format)
  if (scanned.ok) return { result, scanned: scanned.scanned }
  return { result, parseError: `line ${scanned.error.line}, column ${scanned.error.column}: ${scanned.error.message}` }
}

/**
 * Merges every successful body with its instance labels and adds our metrics, on the fused path:
 * each body is scanned first ({@link prepareForMerge}, so `promregator_up` can say which ones
 * parse), then merged and written in one go without building an object per sample.
 */
export function mergedBody(inputs: MergeInput[], format: Format): MergedBody {
  const sources: BodySource[] = []
  const own: Array<{ result: ScrapeResult; up: boolean; labels: Record<string, string> }> = []
  const parseErrors: MergedBody['parseErrors'] = []
  for (const { result, scanned, parseError } of inputs) {
    const labels = { ...result.target.labels }
    if (scanned !== undefined) sources.push({ body: scanned, labels })
    if (parseError !== undefined) parseErrors.push({ id: result.target.id, message: parseError })
    own.push({ result, up: scanned !== undefined, labels })
  }
  sources.push({ families: ownFamilies(own), labels: {} })
  const merged = mergeBodies(sources, format)
  return { body: merged.body, conflicts: merged.conflicts, parseErrors }
}
