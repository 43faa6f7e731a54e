/**
 * @module test/exposition/arbitraries
 *
 * fast-check generators of valid metric families per format. They produce only what the format can
 * carry exactly (normalisations are listed where they apply) so that parse(write(x)) must equal x.
 */
import fc from 'fast-check'
import { formatNumber } from '../../src/exposition/escape.ts'
import type { Exemplar, Format, MetricFamily, MetricType, Sample } from '../../src/exposition/types.ts'

const labelName = fc
  .stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,7}$/)
  .filter((n) => n !== 'le' && n !== 'quantile')

const labelValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('', '\\', '"', '\n', '\\n', 'a"b\\c\nd', 'ünï©ødé 🎉', '{x="y"}', '# EOF', ' , '),
)

export const labelsArb: fc.Arbitrary<Record<string, string>> = fc
  .uniqueArray(fc.tuple(labelName, labelValue), { selector: (t) => t[0], maxLength: 4 })
  .map((pairs) => Object.fromEntries(pairs))

export const valueArb: fc.Arbitrary<number> = fc.oneof(
  fc.double(),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 1e21, 5e-324, 0.1),
)

/** A value that counts (counter totals, sums of non-negative buckets): never negative, never NaN. */
const counted = (v: number) => (Number.isNaN(v) ? 0 : Math.abs(v))

const tsArb = fc.option(fc.integer({ min: -1e12, max: 4e12 }), { nil: undefined })

function helpArb(format: Format): fc.Arbitrary<string | undefined> {
  const s = fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.constantFrom('', 'a "quoted" \\ back\nslash', '\\n literal'))
  // Text 0.0.4 cannot carry leading blanks in HELP (the parser skips blanks after the name).
  return fc.option(format === 'text' ? s.map((h) => h.replace(/^[ \t]+/, '')) : s, { nil: undefined })
}

const exemplarArb: fc.Arbitrary<Exemplar | undefined> = fc.option(
  fc.record({ labels: labelsArb, value: valueArb.filter((v) => !Number.isNaN(v)), ts: fc.option(fc.double({ min: 0, max: 2e9, noNaN: true }), { nil: undefined }) })
    .map(({ labels, value, ts }) => (ts === undefined ? { labels, value } : { labels, value, timestamp: ts })),
  { nil: undefined },
)

function sample(name: string, labels: Record<string, string>, value: number, ts: number | undefined, ex?: Exemplar): Sample {
  const s: Sample = { name, labels, value }
  if (ts !== undefined) s.timestampMs = ts
  if (ex !== undefined) s.exemplar = ex
  return s
}

const TEXT_TYPES: MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped']
const OM_TYPES: MetricType[] = ['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown']

/** Samples of one series (label set) of a family of `type`. */
function seriesArb(name: string, type: MetricType, format: Format): fc.Arbitrary<Sample[]> {
  const om = format === 'openmetrics'
  const ex = om ? exemplarArb : fc.constant(undefined)
  return fc.record({ labels: labelsArb, v: valueArb, ts: tsArb, ex, created: fc.boolean(), les: fc.array(valueArb, { maxLength: 3 }), exs: fc.array(ex, { maxLength: 4 }) })
    .map(({ labels, v, ts, ex, created, les, exs }) => {
      const out: Sample[] = []
      switch (type) {
        case 'counter':
          if (!om) return [sample(name, labels, counted(v), ts)]
          out.push(sample(name + '_total', labels, counted(v), ts, ex))
          if (created) out.push(sample(name + '_created', labels, 1.7e9, ts))
          return out
        case 'info':
          return [sample(name + '_info', labels, 1, ts)]
        case 'histogram':
        case 'gaugehistogram': {
          // Non-negative, rising, finite bounds, then +Inf (a histogram with negative buckets may carry no
          // _sum); cumulative counts, and a _count equal to the +Inf bucket, as OpenMetrics demands.
          const finite = [...new Set(les.map(counted).filter((le) => Number.isFinite(le)))].sort((a, b) => a - b)
          const bounds = [...finite.map((le) => formatNumber(le)), '+Inf']
          bounds.forEach((le, i) => out.push(sample(name + '_bucket', { ...labels, le }, i, ts, exs[i])))
          const g = type === 'gaugehistogram' ? '_g' : '_'
          out.push(sample(name + g + 'sum', labels, counted(v), ts), sample(name + g + 'count', labels, bounds.length - 1, ts))
          if (om && created && type === 'histogram') out.push(sample(name + '_created', labels, 1.7e9, ts))
          return out
        }
        case 'summary': {
          // Quantiles are between 0 and 1 (OpenMetrics demands it; a text body converted to
          // OpenMetrics is read back with its rules).
          const quantiles = [...new Set(les.map((q) => (Number.isFinite(q) ? Math.abs(q) / (1 + Math.abs(q)) : 0.5)))]
          quantiles.forEach((q, i) => out.push(sample(name, { ...labels, quantile: formatNumber(q) }, i, ts)))
          out.push(sample(name + '_sum', labels, counted(v), ts), sample(name + '_count', labels, quantiles.length, ts))
          if (om && created) out.push(sample(name + '_created', labels, 1.7e9, ts))
          return out
        }
        case 'stateset':
          // Each state is a label named after the family.
          return [sample(name, { ...labels, [name]: 'state' }, Number.isNaN(v) ? 0 : Math.abs(v) >= 1 ? 1 : 0, ts)]
        default:
          return [sample(name, labels, v, ts)]
      }
    })
}

function familyArb(index: number, format: Format): fc.Arbitrary<MetricFamily> {
  const om = format === 'openmetrics'
  return fc
    .record({
      base: fc.stringMatching(/^[a-zA-Z0-9_:]{0,8}$/),
      type: fc.constantFrom(...(om ? OM_TYPES : TEXT_TYPES)),
      help: helpArb(format),
      unit: om ? fc.option(fc.stringMatching(/^[a-z]{1,6}$/), { nil: undefined }) : fc.constant(undefined),
    })
    .chain(({ base, type, help, unit: anyUnit }) => {
      // Info and stateset take no unit; a stateset's name is also a label name (no `:`).
      const unit = type === 'info' || type === 'stateset' ? undefined : anyUnit
      // Unique prefix per family: no family name is another's name plus a suffix.
      let name = `m${index}_${type === 'stateset' ? base.replaceAll(':', '_') : base}`
      if (om && type === 'counter' && name.endsWith('_total')) name += 'x'
      if (unit !== undefined) name += '_' + unit
      return fc.array(seriesArb(name, type, format), { maxLength: 3 }).map((all) => {
        // One series per label set: OpenMetrics writes each point's samples together, once.
        const seen = new Set<string>()
        const series = all.filter((samples) => {
          const { le: _le, quantile: _q, ...labels } = samples[0]?.labels ?? {}
          const key = JSON.stringify(Object.entries(labels).sort())
          return !seen.has(key) && seen.add(key) !== undefined
        })
        const f: MetricFamily = { name, type, samples: series.flat() }
        if (help !== undefined) f.help = help
        if (unit !== undefined) f.unit = unit
        return f
      })
    })
}

/** A list of valid families for `format`. */
export function familiesArb(format: Format): fc.Arbitrary<MetricFamily[]> {
  return fc.integer({ min: 0, max: 5 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => familyArb(i, format))))
}

/** Random edits of a valid body: replace, insert or delete characters, favouring syntax characters. */
export const mutationArb = fc.array(
  fc.record({
    at: fc.nat(),
    op: fc.constantFrom('insert', 'delete', 'replace'),
    ch: fc.oneof(fc.constantFrom('{', '}', '"', '\\', '\n', ' ', '\t', ',', '=', '#', '#', 'E', '_', '1', 'e', '+', '.', '\r'), fc.string({ unit: 'binary', maxLength: 2 })),
  }),
  { minLength: 1, maxLength: 4 },
)

export function mutate(body: string, ms: { at: number; op: string; ch: string }[]): string {
  let s = body
  for (const m of ms) {
    const i = s.length === 0 ? 0 : m.at % (s.length + 1)
    if (m.op === 'insert') s = s.slice(0, i) + m.ch + s.slice(i)
    else if (m.op === 'delete') s = s.slice(0, i) + s.slice(i + 1)
    else s = s.slice(0, i) + m.ch + s.slice(i + 1)
  }
  return s
}
