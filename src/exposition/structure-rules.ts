/**
 * @module exposition/structure-rules
 * OpenMetrics rules on how the samples of one family hang together, checked as an OpenMetrics body
 * is parsed (text 0.0.4 has none of them, and prometheus/common accepts what breaks them, so text
 * bodies pass as before): the samples of one metric point (one label set, `le`/`quantile` aside)
 * are written together; a histogram's buckets rise in `le` ("+Inf" spelled so) and in count and end
 * with `+Inf`, before its `_count` and `_sum`, which come as a pair and agree with `+Inf`; an info
 * sample is 1 and a state 0 or 1, labelled with the family's name; a summary's quantile is between
 * 0 and 1; a series written twice in a row carries rising timestamps. Costs nothing for gauges and
 * counters without timestamps, the common case.
 */

/** What a histogram point has shown so far. */
interface Point {
  key: string
  lastLe: number
  lastBucket: number
  inf?: number
  count?: number
  sum: boolean
  /** `_count`, `_sum` or `_created` seen: no bucket may follow. */
  closed: boolean
  negativeBucket: boolean
}

/** The rules' memory of one family while it is parsed. */
export interface FamilyStructure {
  type: string
  name: string
  /** Point keys finished in this family. */
  done: Set<string>
  point?: Point
}

export function familyStructure(type: string, name: string): FamilyStructure {
  return { type, name, done: new Set() }
}

const CANONICAL_LE = /^[+-]Inf$|^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/

/**
 * One sample of family `f`: `suffix` is what its name adds to the family's (`_bucket`, `_count`, ...),
 * `key` its label set without `le`/`quantile`, `le` the bucket's bound as written, `value` its value.
 * Returns what is wrong, if anything.
 */
export function structureProblem(f: FamilyStructure, suffix: string, key: string, le: string | undefined, value: string): string | undefined {
  const { type } = f
  if (type === 'info') return Number(value) === 1 ? undefined : `info ${f.name} must have the value 1, not ${value}`
  if (type === 'stateset') return value.trim() !== '' && (Number(value) === 0 || Number(value) === 1) ? undefined : `state of ${f.name} must be 0 or 1, not ${value}`
  if (type !== 'histogram' && type !== 'gaugehistogram' && type !== 'summary') return undefined
  let point = f.point
  if (point === undefined || point.key !== key) {
    const unfinished = point ? finishPoint(f) : undefined
    if (unfinished) return unfinished
    if (f.done.has(key)) return `samples of one ${type} point of ${f.name} are not written together`
    point = f.point = { key, lastLe: -Infinity, lastBucket: 0, sum: false, closed: false, negativeBucket: false }
  }
  if (type === 'summary') return undefined
  const g = type === 'gaugehistogram' ? 'g' : ''
  if (suffix === '_bucket') {
    if (le === undefined || !CANONICAL_LE.test(le)) return `bucket bound le="${le}" of ${f.name} is not a number as OpenMetrics writes it`
    if (point.closed) return `bucket of ${f.name} after its _${g}count or _${g}sum`
    const bound = le === '+Inf' ? Infinity : le === '-Inf' ? -Infinity : Number(le)
    if (bound <= point.lastLe) return `buckets of ${f.name} must rise in le (${le} after ${point.lastLe})`
    const count = Number(value)
    if (count < point.lastBucket) return `buckets of ${f.name} must be cumulative (${value} after ${point.lastBucket})`
    point.lastLe = bound
    point.lastBucket = count
    if (bound < 0) point.negativeBucket = true
    if (bound === Infinity) point.inf = count
    return undefined
  }
  if (suffix === `_${g}count`) {
    point.closed = true
    point.count = Number(value)
  } else if (suffix === `_${g}sum`) {
    point.closed = true
    point.sum = true
  } else if (suffix === '_created') point.closed = true
  return undefined
}

/** Ends the current point of `f` (at the next point, the next family or the end of the body); what is missing, if anything. */
export function finishPoint(f: FamilyStructure): string | undefined {
  const point = f.point
  if (point === undefined) return undefined
  f.point = undefined
  f.done.add(point.key)
  if (f.type !== 'histogram' && f.type !== 'gaugehistogram') return undefined
  const g = f.type === 'gaugehistogram' ? 'g' : ''
  if (point.inf === undefined) return `${f.type} ${f.name} has no +Inf bucket`
  if (point.count !== undefined && point.count !== point.inf) return `_${g}count of ${f.name} (${point.count}) differs from its +Inf bucket (${point.inf})`
  // The pair comes together; a histogram of negative observations has no _sum, and its _count may stand alone.
  if (point.sum && point.count === undefined) return `${f.name} has a _${g}sum without a _${g}count`
  if (point.count !== undefined && !point.sum && !point.negativeBucket) return `${f.name} has a _${g}count without a _${g}sum`
  return undefined
}

/**
 * The label rules of one sample of a family of `type`: a summary quantile (`quantile`, its label
 * value as written) between 0 and 1, a stateset sample labelled with the family's name. `labels`
 * is the label set's text between the braces, as written.
 */
export function pointLabelProblem(type: string, family: string, sample: string, labels: string, quantile: string | undefined): string | undefined {
  if (quantile !== undefined) {
    const q = Number(quantile)
    if (!(q >= 0 && q <= 1)) return `quantile of ${sample} must be between 0 and 1, got "${quantile}"`
  }
  if (type === 'stateset' && !hasLabelNamed(labels, family)) return `stateset ${sample} needs a label named ${family}`
  return undefined
}

/** Whether an OpenMetrics label set's text (between the braces, as written) has a label named `name`. */
function hasLabelNamed(labels: string, name: string): boolean {
  for (let i = 0; i < labels.length; ) {
    const eq = labels.indexOf('=', i)
    if (eq < 0) return false
    if (eq - i === name.length && labels.startsWith(name, i)) return true
    // Past the quoted value (escapes are two characters) and the comma after it.
    let j = eq + 2
    while (j < labels.length && labels.charCodeAt(j) !== 34 /* " */) j += labels.charCodeAt(j) === 92 /* \\ */ ? 2 : 1
    i = j + 2
  }
  return false
}
