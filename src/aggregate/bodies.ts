/**
 * @module aggregate/bodies
 * Turns scrape results into exposition bodies: the single-target response (the instance's body
 * passed through with our two metrics appended, or enriched with the instance labels when
 * `promregator.scraping.labelEnrichment` is on) and the merged `/metrics` document of all instances,
 * in text or OpenMetrics, or in protobuf when every instance answered protobuf.
 */
import { appendFamilies, enrichBody } from '../exposition/append.ts'
import { mergeBodies, type BodySource, type MergeConflict } from '../exposition/merge.ts'
import { acceptsContentType, CONTENT_TYPES, negotiate, PROTOBUF_CONTENT_TYPE, versionOfContentType } from '../exposition/negotiate.ts'
import { checkDelimited, encodeFamilies, mergeDelimited, type DelimitedSource } from '../exposition/protobuf.ts'
import { scanBody } from '../exposition/parse.ts'
import type { ScannedBody } from '../exposition/raw.ts'
import type { Escaping, Format, MetricFamily } from '../exposition/types.ts'
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

/** Why a body that is not UTF-8 counts as down: both formats are UTF-8, and Prometheus rejects such a body. */
const NOT_UTF8 = 'body is not valid UTF-8'

/** Result of {@link singleTargetBody}. */
export interface SingleTargetBody {
  /** Text, or bytes when the instance's protobuf passes through. */
  body: string | Uint8Array
  /** The exact Content-Type of `body`. */
  contentType: string
  /** Set when the instance's body had to be parsed and could not be (the instance then counts as down). */
  parseError?: string
  /** Families of the instance dropped because one of ours has the same name and another type. */
  conflicts?: MergeConflict[]
}

/**
 * The body of one instance for a scraper that sent `accept`, with our metrics appended. Without
 * `enrich`, the instance's body passes through unparsed, under its own Content-Type when the scraper
 * accepts that as it is (protobuf, text and OpenMetrics of any version and escaping), else under ours
 * when it is text 0.0.4 or OpenMetrics 1.0 already; otherwise it is converted to the format the
 * scraper prefers. With `enrich`, every sample (ours included) gets the instance labels, as on
 * `/metrics`: text is parsed and rewritten, protobuf relabelled field by field.
 */
export function singleTargetBody(result: ScrapeResult, accept: string | undefined, enrich = false): SingleTargetBody {
  const answer = negotiate(accept)
  const wanted = answer.format
  const labels = enrich ? { ...result.target.labels } : {}
  const down = (parseError?: string): SingleTargetBody => ({
    body: writeExposition(ownFamilies([{ result, up: false, labels }]), wanted),
    contentType: answer.contentType,
    ...(parseError === undefined ? {} : { parseError }),
  })
  if (!result.ok) return down()
  const own = ownFamilies([{ result, up: true, labels }])
  if (result.format === 'protobuf') {
    const contentType = result.contentType ?? PROTOBUF_CONTENT_TYPE
    if (enrich) {
      const merged = mergeDelimited([{ body: result.body, labels }], own)
      const failure = merged.failures[0]
      return failure === undefined ? { body: merged.body, contentType, conflicts: merged.conflicts } : down(failure.error)
    }
    const problem = checkDelimited(result.body)
    return problem === undefined ? { body: concatBytes(result.body, encodeFamilies(own)), contentType } : down(problem)
  }
  if (result.invalidUtf8) return down(NOT_UTF8)
  if (!enrich) {
    if (result.contentType !== undefined && acceptsContentType(accept, result.contentType)) {
      return { body: appendFamilies(result.body, result.format, own), contentType: result.contentType }
    }
    if ((result.format === wanted || result.format === 'text') && writtenAsWeWrite(result.format, result.contentType)) {
      return { body: appendFamilies(result.body, result.format, own), contentType: CONTENT_TYPES[result.format] }
    }
  }
  const r = enrichBody(result.body, result.format, labels, own, wanted, answer.escaping)
  if (!r.ok) return down(`line ${r.error.line}, column ${r.error.column}: ${r.error.message}`)
  return { body: r.body, contentType: answer.contentType, conflicts: r.conflicts }
}

/** Whether a body of `contentType` is in the version of its format that we write (no version: text 0.0.4). */
function writtenAsWeWrite(format: Format, contentType: string | undefined): boolean {
  const version = contentType === undefined ? undefined : versionOfContentType(contentType)
  return version === undefined || (format === 'text' ? version === '0.0.4' : version === '1.0.0' || version === '0.0.1')
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength)
  out.set(a)
  out.set(b, a.byteLength)
  return out
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
export function prepareForMerge(result: ScrapeResult, escaping: Escaping = 'underscores'): MergeInput {
  if (!result.ok) return { result }
  // The text merge never gets one (/metrics asks an instance that answered protobuf again, for
  // text, before a text merge); said, should it come anyway.
  if (result.format === 'protobuf') return { result, parseError: 'a protobuf body cannot be merged' }
  if (result.invalidUtf8) return { result, parseError: NOT_UTF8 }
  // Read UTF-8 names so that the answer can write them as it will (mergeBodies).
  const scanned = scanBody(result.body, result.format, escaping === 'allow-utf-8' ? 'encoded' : 'legacy')
  if (scanned.ok) return { result, scanned: scanned.scanned }
  return { result, parseError: `line ${scanned.error.line}, column ${scanned.error.column}: ${scanned.error.message}` }
}

/**
 * Merges every successful body with its instance labels and adds our metrics, on the fused path:
 * each body is scanned first ({@link prepareForMerge}, so `promregator_up` can say which ones
 * parse), then merged and written in one go without building an object per sample.
 */
export function mergedBody(inputs: MergeInput[], format: Format, escaping: Escaping = 'underscores'): MergedBody {
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
  const merged = mergeBodies(sources, format, escaping)
  return { body: merged.body, conflicts: merged.conflicts, parseErrors }
}

/** {@link mergedBody} of protobuf bodies, which stay bytes. */
export interface MergedProtobufBody extends Omit<MergedBody, 'body'> {
  body: Uint8Array
}

/**
 * Merges the protobuf bodies of `results` (instances asked for protobuf; native histograms stay
 * as they were written) with their labels and our metrics, one family per name. A result that is
 * not protobuf, or whose body is not well-formed, counts as down.
 */
export function mergedProtobufBody(results: ScrapeResult[]): MergedProtobufBody {
  const sources: DelimitedSource[] = []
  /** The result of each source, by the source's index. */
  const sourced: ScrapeResult[] = []
  const parseErrors: MergedBody['parseErrors'] = []
  for (const result of results) {
    if (!result.ok) continue
    if (result.format !== 'protobuf') parseErrors.push({ id: result.target.id, message: 'not a protobuf body' })
    else {
      sources.push({ body: result.body, labels: { ...result.target.labels } })
      sourced.push(result)
    }
  }
  const merged = mergeDelimited(sources, (failed) => {
    const merging = new Set(sourced.filter((_, i) => !failed.has(i)))
    return ownFamilies(results.map((result) => ({ result, up: merging.has(result), labels: { ...result.target.labels } })))
  })
  for (const failure of merged.failures) parseErrors.push({ id: sourced[failure.sourceIndex]!.target.id, message: failure.error })
  return { body: merged.body, conflicts: merged.conflicts, parseErrors }
}
