/**
 * @module exposition/raw
 *
 * Internal representation used between parser, merger and writer. Labels are kept as canonical,
 * already-escaped text (`a="1",b="x\"y"`) and values as their wire token, so writing a sample is
 * string concatenation and merging adds enrichment labels without touching each sample. The public
 * {@link MetricFamily} objects are converted to and from this form at the API edges.
 */
import { decodeCanonicalLabels, formatNumber, numberOfToken, serialiseLabels } from './escape.ts'
import type { Exemplar, Format, MetricFamily, MetricType, Sample } from './types.ts'

/** One sample, wire-ready. */
export interface RawSample {
  name: string
  /** Canonical escaped label text without braces; `''` when the sample has no labels. */
  labels: string
  /** Value token as on the wire (validated), e.g. `1`, `+Inf`, `Nan`, `1.5e3`. */
  value: string
  tsMs: number | undefined
  exemplar: Exemplar | undefined
  /** Unescaped labels, present when the parser was asked for them or the sample came from the public API. */
  rec: Record<string, string> | undefined
}

/** A family in internal form. */
export interface RawFamily {
  name: string
  type: MetricType
  help: string | undefined
  unit: string | undefined
  samples: RawSample[]
}

/** A run of samples written with the same extra (enrichment) label text appended. */
export interface Chunk {
  samples: readonly RawSample[]
  /** Canonical label text appended to every sample's labels; `''` for none. */
  extra: string
  /** The same labels unescaped (for materialising public samples). */
  extraRec: Record<string, string> | undefined
}

/**
 * Sample lines already written (fused merge): the concatenation of `lines` is whole lines, each
 * ending with a newline, in the output format, with enrichment labels. Pieces rather than one string
 * because joining once is much cheaper than growing a string line by line (see write.ts).
 */
export interface LinesChunk {
  lines: string[]
}

/** A family ready to write: metadata plus chunks from one or more sources. */
export interface OutFamily {
  name: string
  type: MetricType
  help: string | undefined
  unit: string | undefined
  chunks: (Chunk | LinesChunk)[]
  /** Name of the family's first sample, when chunks may not tell it (a LinesChunk does not). */
  first?: string | undefined
}

/** A family being merged: identity class, and the sample name text output leaves out (`_created`). */
export interface MergedFamily extends OutFamily {
  typeClass: string
  /** Computed once per merged family (not per source) for the fused path; `undefined` for none or OpenMetrics output. */
  textSkip: string | undefined
}

/** Ints per sample in {@link ScannedBody.records}. */
export const REC = 6
/** Marks a record whose sample is in {@link ScannedBody.slow} (third field). */
export const REC_SLOW = -2

/**
 * A body indexed for the fused merge (see parse.ts `scanBody`). Each sample is REC ints in
 * `records`: `[family index, lineStart, nameEnd, rbrace, valueStart, lineEnd]` for a line written the way we
 * write it (single spaces, canonical labels, nothing after the value): the line is
 * `body[lineStart, nameEnd)` + `{labels}` up to `rbrace` (-1 without labels) + value up to the end
 * (`lineEnd`, exclusive of the newline). Otherwise `[family index, slow index, 0, REC_SLOW, 0, 0]`, the sample being
 * `slow[slow index]`.
 */
export interface ScannedBody {
  readonly body: string
  readonly format: Format
  /** Families in declaration order; their `samples` arrays are empty. */
  readonly families: readonly RawFamily[]
  /** Name of each family's first sample (`undefined` for a family without samples). */
  readonly firstSamples: readonly (string | undefined)[]
  readonly records: Int32Array
  readonly recordsLength: number
  readonly slow: readonly RawSample[]
  readonly labelNames: ReadonlySet<string>
}

/** Set a label in a record; `__proto__` is a valid label name, so it must not hit the prototype setter. */
export function setLabel(rec: Record<string, string>, name: string, value: string): void {
  if (name === '__proto__') Object.defineProperty(rec, name, { value, enumerable: true, writable: true, configurable: true })
  else rec[name] = value
}

/** Convert a public family to internal form (serialises labels, formats numbers). */
export function rawOfFamily(f: MetricFamily): RawFamily {
  const samples: RawSample[] = new Array(f.samples.length)
  for (let i = 0; i < f.samples.length; i++) {
    const s = f.samples[i] as Sample
    samples[i] = {
      name: s.name,
      labels: serialiseLabels(s.labels),
      value: formatNumber(s.value),
      tsMs: s.timestampMs,
      exemplar: s.exemplar,
      rec: s.labels,
    }
  }
  return { name: f.name, type: f.type, help: f.help, unit: f.unit, samples }
}

/** Convert an internal sample to a public one, adding `extra` labels (already deduplicated). */
export function publicSample(s: RawSample, extra: Record<string, string> | undefined): Sample {
  const own = s.rec ?? decodeCanonicalLabels(s.labels)
  let labels = own
  if (extra !== undefined) {
    labels = {}
    for (const k in own) setLabel(labels, k, own[k] as string)
    for (const k in extra) setLabel(labels, k, extra[k] as string)
  }
  const out: Sample = { name: s.name, labels, value: numberOfToken(s.value) }
  if (s.tsMs !== undefined) out.timestampMs = s.tsMs
  if (s.exemplar !== undefined) out.exemplar = s.exemplar
  return out
}

/** Convert internal metadata + samples to a public family. */
export function publicFamily(
  name: string, type: MetricType, help: string | undefined, unit: string | undefined, samples: Sample[],
): MetricFamily {
  const f: MetricFamily = { name, type, samples }
  if (help !== undefined) f.help = help
  if (unit !== undefined) f.unit = unit
  return f
}
