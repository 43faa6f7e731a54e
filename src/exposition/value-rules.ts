/**
 * @module exposition/value-rules
 * OpenMetrics rules on what samples may carry, checked as each sample is parsed: which samples may
 * have an exemplar, and the values of samples that count. A body that breaks one is invalid, and
 * its instance is left out of `/metrics` whole (Prometheus would refuse the whole merged answer for
 * the exemplar; the value rules keep the OpenMetrics answer valid).
 */
import type { RawFamily } from './raw.ts'

/** What the value rules read of a family being parsed, and remember about it. */
export interface FamilyValueState {
  fam: RawFamily
  /** A bucket with a negative `le` was seen (OpenMetrics then rules out `_sum` and allows a negative `_gsum`). */
  negativeBucket?: boolean
}

/**
 * OpenMetrics allows exemplars on counter `_total` samples and on histogram and gauge histogram
 * buckets only; Prometheus refuses the whole answer for one anywhere else.
 */
export function carriesExemplars(type: string, sample: string): boolean {
  if (type === 'counter') return sample.endsWith('_total')
  if (type === 'histogram' || type === 'gaugehistogram') return sample.endsWith('_bucket')
  return false
}

/**
 * The OpenMetrics rules for values that count: a counter's `_total`, the buckets and counts of
 * histograms, gauge histograms and summaries are never negative or NaN; a histogram's `_sum` (and a
 * gauge histogram's `_gsum`) is not NaN and not negative unless some bucket is, and a histogram
 * with negative buckets has no `_sum` at all; a summary's quantile values are not negative. The last
 * two hold for `openMetrics` bodies only: prometheus/common reads both in text, and Prometheus's
 * OpenMetrics parser (what reads our answers) does not check them. Only samples whose token could
 * break a rule are parsed (a `-`, or `N`/`n` for NaN).
 */
export function countValueProblem(st: FamilyValueState, name: string, s: string, vs: number, ve: number, leNegative: boolean, openMetrics: boolean): string | undefined {
  const { type, name: base } = st.fam
  // Most samples are gauges or untyped: nothing to check, nothing built.
  if (type !== 'counter' && type !== 'histogram' && type !== 'gaugehistogram' && type !== 'summary') return undefined
  const is = (suffix: string) => name.length === base.length + suffix.length && name.endsWith(suffix)
  const first = s.charCodeAt(vs)
  const negative = () => first === 45 /* - */ && Number(s.slice(vs, ve)) < 0
  let counts = false
  let sum = false
  if (type === 'counter') counts = is('_total')
  else if (type === 'summary') {
    if (is('_sum') || is('_count')) counts = true
    else if (openMetrics && name.length === base.length && negative()) return `summary quantile ${name} must not be negative`
  } else if (is('_bucket')) {
    counts = true
    if (leNegative) {
      if (openMetrics && type === 'histogram' && st.negativeBucket !== true && st.fam.samples.some((x) => x.name === `${base}_sum`)) return `histogram ${base} has negative buckets and a _sum`
      st.negativeBucket = true
    }
  } else if (is('_count') || is('_gcount')) counts = true
  else if (is('_sum') || is('_gsum')) {
    if (openMetrics && type === 'histogram' && st.negativeBucket) return `histogram ${base} has negative buckets and a _sum`
    sum = true
  }
  if (!counts && !sum) return undefined
  // Only a token starting with `-`, `N` or `n` can be negative or NaN: no other is parsed.
  if ((first === 78 || first === 110) && Number.isNaN(Number(s.slice(vs, ve)))) return `${name} must not be NaN`
  if (negative() && !(sum && st.negativeBucket)) return `${name} must not be negative`
  return undefined
}
