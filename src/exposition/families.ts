/**
 * @module exposition/families
 *
 * Naming rules that tie sample names to family names and types, per format, and how a family is
 * projected onto the other format. The parser uses them to attach samples to families, the writer to
 * rename families when converting, and the merger to recognise the same family written two ways
 * (OpenMetrics counter `foo` with `foo_total` samples ≡ text counter `foo_total`).
 *
 * Conversion choices:
 * - OM → text: `unknown` → `untyped`; `info` `foo` → gauge `foo_info`; `stateset` → gauge;
 *   `gaugehistogram` → one `untyped` family per sample name (`foo_bucket`, `foo_gcount`, `foo_gsum`),
 *   because text has no gauge histogram and writing it as `histogram` would either rename the series
 *   (`_gcount`→`_count`) or declare sample names a histogram cannot have; `_created` samples are
 *   dropped (text 0.0.4 has no created timestamps; client_golang never writes them in text);
 *   `# UNIT` and exemplars are dropped; timestamps become integer milliseconds.
 * - text → OM: `untyped` → `unknown`; counter `foo_total` → family `foo`; a counter whose samples
 *   lack `_total` becomes `unknown` (OpenMetrics forbids such counters; client_golang does the same).
 * In every case the series names (what Prometheus stores) stay the same whichever format we answer in.
 */
import type { Format, MetricType } from './types.ts'

/**
 * Types each format may declare in `# TYPE`. Text's gauge histogram is prometheus/common's extension
 * (also spelled `gauge_histogram`), with histogram sample names: `_bucket`, `_count`, `_sum`.
 */
export const TEXT_TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped', 'gaugehistogram'])
export const OM_TYPES: ReadonlySet<string> = new Set([
  'counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown',
])

const TYPE_WORDS = [...OM_TYPES, ...TEXT_TYPES]

/** The TYPE word at `s[p, end)`, as a shared constant when it is a known type (no slice per family). */
export function typeWordAt(s: string, p: number, end: number): string {
  for (const w of TYPE_WORDS) if (w.length === end - p && s.startsWith(w, p)) return w
  return s.slice(p, end)
}

/**
 * Sample names a family may contain when declared with `type` in `format`. Order matters only for
 * readability. For an OpenMetrics counter declared with a `_total` name (tolerated, e.g. some
 * clients), the exact name is accepted too.
 */
export function sampleNamesOf(name: string, type: MetricType, format: Format): string[] {
  const om = format === 'openmetrics'
  switch (type) {
    case 'counter':
      if (!om) return [name]
      return name.endsWith('_total') ? [name, name + '_total', name + '_created'] : [name + '_total', name + '_created']
    case 'histogram':
      return om ? [name + '_bucket', name + '_count', name + '_sum', name + '_created'] : [name + '_bucket', name + '_count', name + '_sum']
    case 'gaugehistogram':
      return om ? [name + '_bucket', name + '_gcount', name + '_gsum'] : [name + '_bucket', name + '_count', name + '_sum']
    case 'summary':
      return om ? [name, name + '_count', name + '_sum', name + '_created'] : [name, name + '_count', name + '_sum']
    case 'info':
      return [name + '_info']
    default:
      return [name]
  }
}

/**
 * Sample name that carries the counter's value: `foo_total` for OM-style families (`foo` with
 * `foo_total`/`foo_created` samples), else the family name (text style, or no samples to tell).
 */
export function counterValueName(name: string, firstSampleName: string | undefined): string {
  if (name.endsWith('_total') || firstSampleName === undefined || firstSampleName === name) return name
  return name + '_total'
}

/**
 * Identity of a family for merging: the family name as text 0.0.4 writes it (so it names the same
 * series in both formats) and a type class (OM-only types folded onto what text would write).
 * Returns `[key, typeClass]`.
 */
export function mergeIdentity(name: string, type: MetricType, firstSampleName: string | undefined): [string, string] {
  switch (type) {
    case 'counter':
      return [counterValueName(name, firstSampleName), 'counter']
    case 'info':
      return [name + '_info', 'gauge']
    case 'stateset':
      return [name, 'gauge']
    case 'unknown':
    case 'untyped':
      return [name, 'untyped']
    default:
      return [name, type]
  }
}

/** How a family is declared in text 0.0.4, and which sample name to skip (`_created`), if any. */
export interface TextMeta {
  name: string
  type: string
  skip: string | undefined
  /** gaugehistogram only: write one untyped family per sample name. */
  split: boolean
}

/** Text 0.0.4 declaration of a family (see the module comment for the choices). */
export function textMetaOf(name: string, type: MetricType, firstSampleName: string | undefined): TextMeta {
  switch (type) {
    case 'counter': {
      const v = counterValueName(name, firstSampleName)
      const base = v.endsWith('_total') ? v.slice(0, -6) : v
      return { name: v, type: 'counter', skip: base + '_created', split: false }
    }
    case 'histogram':
    case 'summary':
      return { name, type, skip: name + '_created', split: false }
    case 'info':
      return { name: name + '_info', type: 'gauge', skip: undefined, split: false }
    case 'stateset':
      return { name, type: 'gauge', skip: undefined, split: false }
    case 'unknown':
    case 'untyped':
      return { name, type: 'untyped', skip: undefined, split: false }
    case 'gaugehistogram':
      return { name, type: 'untyped', skip: undefined, split: true }
    default:
      return { name, type, skip: undefined, split: false }
  }
}

/** How a family is declared in OpenMetrics: name and type. */
export function omMetaOf(name: string, type: MetricType, firstSampleName: string | undefined): { name: string; type: string } {
  switch (type) {
    case 'counter':
      if (name.endsWith('_total') && (firstSampleName === undefined || firstSampleName === name || firstSampleName === name.slice(0, -6) + '_created')) {
        return { name: name.slice(0, -6), type: 'counter' }
      }
      // A text counter without `_total`: OpenMetrics cannot call it a counter without renaming it.
      if (firstSampleName === name) return { name, type: 'unknown' }
      return { name, type: 'counter' }
    case 'untyped':
      return { name, type: 'unknown' }
    default:
      return { name, type }
  }
}
