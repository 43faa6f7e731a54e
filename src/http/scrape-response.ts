/**
 * @module http/scrape-response
 * Turns scrape results into exposition bodies: the single-target passthrough (the instance's body
 * plus our two metrics) and the merged `/metrics` document of all instances.
 */
import { appendFamilies } from '../exposition/append.ts'
import { mergeFamilies, type MergeConflict } from '../exposition/merge.ts'
import { parseExposition } from '../exposition/parse.ts'
import type { Format, MetricFamily } from '../exposition/types.ts'
import { writeExposition } from '../exposition/write.ts'
import type { ScrapeResult } from '../scrape/scraper.ts'

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

/** The body of one instance with our metrics appended, converted only when the client cannot read the instance's format. */
export function singleTargetBody(result: ScrapeResult, wanted: Format): { body: string; format: Format; parseError?: string } {
  if (!result.ok) return { body: writeExposition(ownFamilies([{ result, up: false, labels: {} }]), wanted), format: wanted }
  const own = ownFamilies([{ result, up: true, labels: {} }])
  if (result.format === wanted || result.format === 'text') {
    return { body: appendFamilies(result.body, result.format, own), format: result.format }
  }
  const parsed = parseExposition(result.body, result.format)
  if (!parsed.ok) {
    const failed = ownFamilies([{ result, up: false, labels: {} }])
    return { body: writeExposition(failed, wanted), format: wanted, parseError: `line ${parsed.error.line}: ${parsed.error.message}` }
  }
  return { body: writeExposition([...parsed.families, ...own], wanted), format: wanted }
}

export interface MergedBody {
  body: string
  conflicts: MergeConflict[]
  /** Instances whose body could not be parsed (they count as down). */
  parseErrors: Array<{ id: string; message: string }>
}

/** Parses every successful body, merges them with their instance labels, adds our metrics. */
export function mergedBody(results: ScrapeResult[], format: Format): MergedBody {
  const sources: Array<{ families: MetricFamily[]; labels: Record<string, string> }> = []
  const own: Array<{ result: ScrapeResult; up: boolean; labels: Record<string, string> }> = []
  const parseErrors: MergedBody['parseErrors'] = []
  for (const result of results) {
    const labels = { ...result.target.labels }
    let up = result.ok
    if (result.ok) {
      const parsed = parseExposition(result.body, result.format)
      if (parsed.ok) sources.push({ families: parsed.families, labels })
      else {
        up = false
        parseErrors.push({ id: result.target.id, message: `line ${parsed.error.line}, column ${parsed.error.column}: ${parsed.error.message}` })
      }
    }
    own.push({ result, up, labels })
  }
  const merged = mergeFamilies([...sources, { families: ownFamilies(own), labels: {} }])
  return { body: writeExposition(merged.families, format), conflicts: merged.conflicts, parseErrors }
}
