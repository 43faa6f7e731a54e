/**
 * @module exposition
 *
 * Prometheus text 0.0.4 / OpenMetrics 1.0.0: parse, write, convert, merge, negotiate.
 * Import from here; the files behind it are implementation detail apart from the names re-exported.
 */
export type { Exemplar, Format, MetricFamily, MetricType, ParseError, ParseResult, Sample } from './types.ts'
export type { ScannedBody } from './raw.ts'
export { parseExposition, scanBody } from './parse.ts'
export { writeExposition } from './write.ts'
export { CONTENT_TYPES, formatOfContentType, negotiateFormat, parseAccept, type MediaRange } from './negotiate.ts'
export { mergeBodies, type BodySource, type MergeBodiesResult, type MergeConflict } from './merge.ts'
export { appendFamilies, enrichBody } from './append.ts'
export { escapeLabelValue, formatNumber } from './escape.ts'
