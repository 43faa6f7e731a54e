/**
 * @module exposition/types
 *
 * Public data model of the exposition layer: what a scraped body means once parsed, independent of
 * the wire format it came in. Family and sample names are kept exactly as they appeared on the wire
 * (a text counter is `foo_total`, an OpenMetrics counter is `foo` with `foo_total` samples); the
 * writer converts between the two conventions, so callers never need to.
 */

/** Wire format: Prometheus text 0.0.4 or OpenMetrics 1.0.0. */
export type Format = 'text' | 'openmetrics'

/**
 * What an instance's body can be in: a text format we parse and write, or Prometheus's delimited
 * protobuf (`MetricFamily` messages), which is only ever passed through (it carries native histograms).
 */
export type BodyFormat = Format | 'protobuf'

/**
 * How names that are not legacy names are written in an answer: escaped with underscores (what
 * every Prometheus reads), or quoted as UTF-8 for a scraper that asked with `escaping=allow-utf-8`.
 */
export type Escaping = 'underscores' | 'allow-utf-8'

/**
 * Metric type as declared by `# TYPE`. `untyped` is text 0.0.4's word, `unknown` OpenMetrics'; both
 * mean the same and are treated as equal when merging.
 */
export type MetricType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'summary'
  | 'untyped'
  | 'unknown'
  | 'info'
  | 'stateset'
  | 'gaugehistogram'

/** OpenMetrics exemplar attached to a sample. Text 0.0.4 cannot carry exemplars. */
export interface Exemplar {
  labels: Record<string, string>
  value: number
  /** Seconds since the epoch, as OpenMetrics writes it. */
  timestamp?: number
}

/** One sample line. */
export interface Sample {
  /** Full sample name as on the wire, e.g. `http_requests_total`, `lat_seconds_bucket`. */
  name: string
  /** Label values unescaped. */
  labels: Record<string, string>
  value: number
  /** Milliseconds since the epoch, whichever format it came from (OpenMetrics seconds are converted). */
  timestampMs?: number
  exemplar?: Exemplar
}

/** A metric family: metadata plus its samples, in body order. */
export interface MetricFamily {
  name: string
  type: MetricType
  /** `undefined` when the body had no HELP line; `''` for an empty HELP. */
  help?: string
  /** OpenMetrics `# UNIT`; never set by the text parser. */
  unit?: string
  samples: Sample[]
}

/** Where and why a body could not be parsed. Line and column are 1-based; columns count UTF-16 code units. */
export interface ParseError {
  line: number
  column: number
  message: string
}

/** Result of {@link parseExposition}: families, or the first error. */
export type ParseResult = { ok: true; families: MetricFamily[] } | { ok: false; error: ParseError }

/** A family dropped for one source of a merge because its type conflicts with the first one seen. */
export interface MergeConflict {
  /** Name of the family as first seen (the one in the output). */
  metric: string
  sourceIndex: number
  firstType: MetricType
  conflictingType: MetricType
}
