/**
 * @module exposition/append
 *
 * Single-target fast path (`/singleTargetMetrics`): the instance's body passes through unparsed and
 * our own families (e.g. `promregator_up`, `promregator_scrape_duration_seconds`) are appended in
 * the same format. For OpenMetrics the body's `# EOF` is moved to the very end, so there is exactly
 * one. When label enrichment is on, {@link enrichBody} parses and rewrites the body instead.
 */
import { mergeBodies, type MergeConflict } from './merge.ts'
import type { Escaping, Format, MetricFamily, ParseError } from './types.ts'
import { writeExposition } from './write.ts'

/** Index where a trailing `# EOF` line (plus any whitespace after it) starts, or -1. */
function trailingEofStart(body: string): number {
  let end = body.length
  while (end > 0) {
    const c = body.charCodeAt(end - 1)
    if (c !== 10 && c !== 13 && c !== 32 && c !== 9) break
    end--
  }
  const start = end - 5
  if (start < 0 || !body.startsWith('# EOF', start)) return -1
  return start === 0 || body.charCodeAt(start - 1) === 10 ? start : -1
}

/**
 * Append `families` to an unparsed body of `format`. A body that does not end with a newline gets
 * one; an OpenMetrics body loses its `# EOF` and the result ends with exactly one `# EOF\n` (also
 * when the body lacked it). The body itself is not validated, and a family of ours whose name the
 * body also uses is not detected (that would need a parse; use {@link enrichBody} or `mergeBodies`).
 */
export function appendFamilies(body: string, format: Format, families: MetricFamily[]): string {
  let head = body
  if (format === 'openmetrics') {
    const eof = trailingEofStart(body)
    if (eof >= 0) head = body.slice(0, eof)
  }
  if (head !== '' && head.charCodeAt(head.length - 1) !== 10) head += '\n'
  const tail = writeExposition(families, format)
  return head + tail
}

/**
 * Enrich one body with `labels` the way `/metrics` does (collisions become `exported_<name>`),
 * append our own `families` (not enriched) and write it in `outFormat` (defaults to the body's
 * format, so this is also the way to convert a body between formats). Parses the body; a body that
 * does not parse is reported, not thrown. A family of ours whose name the body already uses joins the
 * body's family when the types agree, otherwise it is dropped and listed in `conflicts`.
 */
export function enrichBody(
  body: string,
  format: Format,
  labels: Record<string, string>,
  families: MetricFamily[] = [],
  outFormat: Format = format,
  escaping: Escaping = 'underscores',
): { ok: true; body: string; conflicts: MergeConflict[] } | { ok: false; error: ParseError } {
  const r = mergeBodies([{ body, format, labels }, { families, labels: {} }], outFormat, escaping)
  const failure = r.failures[0]
  if (failure !== undefined) return { ok: false, error: failure.error }
  return { ok: true, body: r.body, conflicts: r.conflicts }
}
