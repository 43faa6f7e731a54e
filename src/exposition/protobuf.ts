/**
 * @module exposition/protobuf
 *
 * Prometheus's protobuf exposition: `io.prometheus.client.MetricFamily` messages, each preceded by
 * its length as a varint ("delimited"). It is the only format that carries native histograms, so
 * `/singleTargetMetrics` passes an instance's protobuf body through to a scraper that asked for it,
 * byte for byte, and `/metrics` merges such bodies when every instance answers protobuf. This
 * module checks a body's shape (protobuf-schema.ts), appends our own families, and merges bodies
 * with the instance labels added to every metric; it never decodes a histogram or a summary, so
 * whatever the client library wrote (native buckets, exemplars, created timestamps) arrives as
 * written.
 *
 * Our own families are written with `@bufbuild/protobuf`'s `wire` module (maintained,
 * conformance-tested, no generated code); instance bodies are read and merged in place
 * (protobuf-wire.ts), which is what keeps the merge of 1,000 bodies fast (bench/exposition.ts).
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire'
import { applyTargetLabels } from './enrich.ts'
import { METRIC_FAMILY, shapeProblem } from './protobuf-schema.ts'
import { compareBytes, ExactWriter, FieldCursor, LEN, varintLength } from './protobuf-wire.ts'
import type { MergeConflict, MetricFamily, MetricType } from './types.ts'

// Field numbers of metrics.proto (package io.prometheus.client).
const FAMILY_NAME = 1
const FAMILY_HELP = 2
const FAMILY_TYPE = 3
const FAMILY_METRIC = 4
const METRIC_LABEL = 1
const METRIC_TIMESTAMP_MS = 6
const LABEL_NAME = 1
const LABEL_VALUE = 2
const VALUE = 1
/** The tag of `MetricFamily.metric` (field 4, length-delimited). */
const METRIC_TAG = (FAMILY_METRIC << 3) | LEN

/** `MetricType` enum values and, for the types {@link encodeFamilies} writes, the `Metric` field of the value. */
const TYPES: Partial<Record<MetricType, { number: number; valueField: number }>> = {
  counter: { number: 0, valueField: 3 },
  gauge: { number: 1, valueField: 2 },
  untyped: { number: 3, valueField: 5 },
  unknown: { number: 3, valueField: 5 },
}

/** Calls `each(start, end)` for every message of a delimited body; throws where the framing is broken. */
function forEachMessage(body: Uint8Array, each: (start: number, end: number) => void): void {
  const c = new FieldCursor(body)
  while (c.pos < body.byteLength) {
    const at = c.pos
    const length = c.varint()
    const end = c.pos + length
    if (end > body.byteLength) throw new Error(`the message at byte ${at} claims ${length} bytes; only ${body.byteLength - c.pos} follow`)
    each(c.pos, end)
    c.pos = end
  }
}

/**
 * Why `body` is not a sequence of delimited `MetricFamily` messages, or undefined when it is:
 * frames, and every field at every depth as metrics.proto has it (protobuf-schema.ts), so a body cut
 * short or broken inside a histogram is never passed on or merged.
 */
export function checkDelimited(body: Uint8Array): string | undefined {
  try {
    let index = 0
    let problem: string | undefined
    forEachMessage(body, (start, end) => {
      if (problem === undefined) {
        const p = shapeProblem(body, METRIC_FAMILY, start, end)
        if (p !== undefined) problem = `family ${index}: ${p}`
      }
      index++
    })
    return problem
  } catch (error) {
    return `not delimited MetricFamily messages: ${(error as Error).message}`
  }
}

/**
 * Our own families (counter, gauge or untyped samples, e.g. `promregator_up`) as delimited
 * `MetricFamily` messages, to append to an instance's protobuf body. Labels are written sorted by
 * name, as client libraries write them.
 */
export function encodeFamilies(families: MetricFamily[]): Uint8Array {
  const out = new BinaryWriter()
  for (const family of families) {
    const type = TYPES[family.type]
    if (type === undefined) throw new Error(`encodeFamilies writes counters, gauges and untyped metrics, not ${family.type} (${family.name})`)
    const w = new BinaryWriter().tag(FAMILY_NAME, WireType.LengthDelimited).string(family.name)
    if (family.help !== undefined) w.tag(FAMILY_HELP, WireType.LengthDelimited).string(family.help)
    w.tag(FAMILY_TYPE, WireType.Varint).int32(type.number)
    for (const sample of family.samples) {
      w.tag(FAMILY_METRIC, WireType.LengthDelimited).fork()
      writeLabels(w, new Map(Object.entries(sample.labels)))
      w.tag(type.valueField, WireType.LengthDelimited).fork().tag(VALUE, WireType.Bit64).double(sample.value).join()
      if (sample.timestampMs !== undefined) w.tag(METRIC_TIMESTAMP_MS, WireType.Varint).int64(sample.timestampMs)
      w.join()
    }
    const message = w.finish()
    out.uint32(message.byteLength).raw(message)
  }
  return out.finish()
}

/** `LabelPair` fields of a `Metric`, sorted by name. */
function writeLabels(w: BinaryWriter, labels: Map<string, string>): void {
  for (const name of [...labels.keys()].sort()) {
    w.tag(METRIC_LABEL, WireType.LengthDelimited).fork()
    w.tag(LABEL_NAME, WireType.LengthDelimited).string(name).tag(LABEL_VALUE, WireType.LengthDelimited).string(labels.get(name)!)
    w.join()
  }
}


const utf8 = new TextDecoder()
const utf8Encoder = new TextEncoder()

/** A target label ready to be spliced into metrics: its name's bytes and its whole `LabelPair` field. */
interface EncodedLabel {
  name: Uint8Array
  field: Uint8Array
}

/** The target labels as `LabelPair` fields, sorted by name. */
function encodeLabels(labels: Record<string, string>): EncodedLabel[] {
  return Object.keys(labels)
    .sort()
    .map((name) => {
      const pair = new BinaryWriter().tag(LABEL_NAME, WireType.LengthDelimited).string(name).tag(LABEL_VALUE, WireType.LengthDelimited).string(labels[name]!).finish()
      return { name: utf8Encoder.encode(name), field: new BinaryWriter().tag(METRIC_LABEL, WireType.LengthDelimited).bytes(pair).finish() }
    })
}

/** One of a metric's own labels: the whole field and its name, as positions in the body. */
interface LabelAt {
  start: number
  end: number
  nameStart: number
  nameEnd: number
  emptyValue: boolean
}

/**
 * The `Metric` at `buf[start, end)` with the target labels added: its labels and ours in name
 * order, then its other fields as they were. A label of its own that one of ours replaces (a
 * non-empty value) takes the slower way that renames it `exported_<name>`.
 */
function enrichMetric(buf: Uint8Array, start: number, end: number, target: EncodedLabel[], labels: Record<string, string>): Uint8Array {
  const own: LabelAt[] = []
  let restLength = 0
  const c = new FieldCursor(buf, start, end)
  while (c.next()) {
    if (c.field !== METRIC_LABEL || c.wire !== LEN) {
      restLength += c.end - c.start
      continue
    }
    const label: LabelAt = { start: c.start, end: c.end, nameStart: 0, nameEnd: 0, emptyValue: true }
    const pair = c.inner()
    while (pair.next()) {
      if (pair.wire !== LEN) continue
      if (pair.field === LABEL_NAME) {
        label.nameStart = pair.valueStart
        label.nameEnd = pair.end
      } else if (pair.field === LABEL_VALUE) label.emptyValue = pair.end === pair.valueStart
    }
    for (const t of target) {
      if (!label.emptyValue && compareBytes(buf, label.nameStart, label.nameEnd, t.name, 0, t.name.byteLength) === 0) return enrichMetricRenaming(buf, start, end, labels)
    }
    own.push(label)
  }
  const byName = (a: LabelAt, b: LabelAt) => compareBytes(buf, a.nameStart, a.nameEnd, buf, b.nameStart, b.nameEnd)
  for (let k = 1; k < own.length; k++) {
    if (byName(own[k - 1]!, own[k]!) > 0) {
      own.sort(byName)
      break
    }
  }
  // An own label with a target label's name and an empty value is dropped: ours replaces it.
  const kept = own.filter((l) => !target.some((t) => compareBytes(buf, l.nameStart, l.nameEnd, t.name, 0, t.name.byteLength) === 0))
  let size = restLength
  for (const l of kept) size += l.end - l.start
  for (const t of target) size += t.field.byteLength
  const w = new ExactWriter(size)
  let i = 0
  for (const t of target) {
    while (i < kept.length && compareBytes(buf, kept[i]!.nameStart, kept[i]!.nameEnd, t.name, 0, t.name.byteLength) < 0) {
      w.bytes(buf.subarray(kept[i]!.start, kept[i]!.end))
      i++
    }
    w.bytes(t.field)
  }
  for (; i < kept.length; i++) w.bytes(buf.subarray(kept[i]!.start, kept[i]!.end))
  const rest = new FieldCursor(buf, start, end)
  while (rest.next()) if (rest.field !== METRIC_LABEL || rest.wire !== LEN) w.bytes(buf.subarray(rest.start, rest.end))
  return w.done()
}

/** {@link enrichMetric} when an own label collides with a target label: decoded, renamed, encoded. */
function enrichMetricRenaming(buf: Uint8Array, start: number, end: number, labels: Record<string, string>): Uint8Array {
  const values = new Map<string, string>()
  const rest: Uint8Array[] = []
  const c = new FieldCursor(buf, start, end)
  while (c.next()) {
    if (c.field !== METRIC_LABEL || c.wire !== LEN) {
      rest.push(buf.subarray(c.start, c.end))
      continue
    }
    let name = ''
    let value = ''
    const pair = c.inner()
    while (pair.next()) {
      if (pair.wire !== LEN) continue
      if (pair.field === LABEL_NAME) name = utf8.decode(buf.subarray(pair.valueStart, pair.end))
      else if (pair.field === LABEL_VALUE) value = utf8.decode(buf.subarray(pair.valueStart, pair.end))
    }
    values.set(name, value)
  }
  applyTargetLabels(values, labels)
  const w = new BinaryWriter()
  writeLabels(w, values)
  for (const raw of rest) w.raw(raw)
  return w.finish()
}

/** `MetricType` numbers of metrics.proto, by name (unknown numbers read as untyped). */
const TYPE_NAMES: readonly MetricType[] = ['counter', 'gauge', 'summary', 'untyped', 'histogram', 'gaugehistogram']

/** One family of the merged answer: its own fields (name, help, type, unit) as first seen, and every metric. */
interface MergedProtoFamily {
  type: number
  head: Uint8Array[]
  metrics: Uint8Array[]
}

/** One source of {@link mergeDelimited}: an instance's protobuf body and its labels. */
export interface DelimitedSource {
  body: Uint8Array
  labels: Record<string, string>
}

/**
 * Merges delimited protobuf bodies into one, the way `/metrics` merges text: every metric gets
 * its source's labels (a colliding label kept as `exported_<name>`), families of one name from
 * several sources become one, in the order first seen, with the help and type first seen; a family
 * whose type differs from that is dropped for its source (a conflict). A source whose body is not
 * well-formed is left out whole (a failure). `own` (our families, already labelled) come last; given
 * as a function, they are made once the sources left out are known (e.g. `promregator_up` 0 for them).
 * Histograms, native ones included, are copied as they were written.
 */
export function mergeDelimited(
  sources: readonly DelimitedSource[],
  own: MetricFamily[] | ((failed: ReadonlySet<number>) => MetricFamily[]),
): { body: Uint8Array; conflicts: MergeConflict[]; failures: Array<{ sourceIndex: number; error: string }> } {
  const families = new Map<string, MergedProtoFamily>()
  const conflicts: MergeConflict[] = []
  const failures: Array<{ sourceIndex: number; error: string }> = []
  const add = (body: Uint8Array, labels: Record<string, string> | undefined, sourceIndex: number): void => {
    const problem = checkDelimited(body)
    if (problem !== undefined) return void failures.push({ sourceIndex, error: problem })
    const target = labels === undefined ? [] : encodeLabels(labels)
    const read: Array<{ name: string; type: number; head: Uint8Array[]; metrics: Uint8Array[] }> = []
    try {
      forEachMessage(body, (start, end) => {
        const family = { name: '', type: 0, head: [] as Uint8Array[], metrics: [] as Uint8Array[] }
        const c = new FieldCursor(body, start, end)
        while (c.next()) {
          if (c.field === FAMILY_METRIC) {
            family.metrics.push(labels === undefined ? body.subarray(c.valueStart, c.end) : enrichMetric(body, c.valueStart, c.end, target, labels))
            continue
          }
          if (c.field === FAMILY_NAME) family.name = utf8.decode(body.subarray(c.valueStart, c.end))
          else if (c.field === FAMILY_TYPE) family.type = c.varintValue()
          family.head.push(body.subarray(c.start, c.end))
        }
        read.push(family)
      })
    } catch (error) {
      return void failures.push({ sourceIndex, error: `a metric cannot be read: ${(error as Error).message}` })
    }
    // The whole body is read before any of it joins the answer: a source is in, or out whole.
    for (const family of read) {
      const merged = families.get(family.name)
      if (merged === undefined) families.set(family.name, { type: family.type, head: family.head, metrics: family.metrics })
      else if (merged.type !== family.type) conflicts.push({ metric: family.name, sourceIndex, firstType: TYPE_NAMES[merged.type] ?? 'untyped', conflictingType: TYPE_NAMES[family.type] ?? 'untyped' })
      else merged.metrics.push(...family.metrics)
    }
  }
  sources.forEach((source, i) => add(source.body, source.labels, i))
  add(encodeFamilies(typeof own === 'function' ? own(new Set(failures.map((f) => f.sourceIndex))) : own), undefined, sources.length)
  return { body: writeFamilies(families.values()), conflicts, failures }
}

/** The merged families as delimited messages, in one buffer. */
function writeFamilies(families: Iterable<MergedProtoFamily>): Uint8Array {
  const sized: Array<{ family: MergedProtoFamily; length: number }> = []
  let total = 0
  for (const family of families) {
    let length = 0
    for (const raw of family.head) length += raw.byteLength
    for (const metric of family.metrics) length += varintLength(METRIC_TAG) + varintLength(metric.byteLength) + metric.byteLength
    sized.push({ family, length })
    total += varintLength(length) + length
  }
  const w = new ExactWriter(total)
  for (const { family, length } of sized) {
    w.varint(length)
    for (const raw of family.head) w.bytes(raw)
    for (const metric of family.metrics) w.varint(METRIC_TAG).varint(metric.byteLength).bytes(metric)
  }
  return w.done()
}
