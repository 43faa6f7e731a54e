/**
 * @module exposition/protobuf
 *
 * Prometheus's protobuf exposition: `io.prometheus.client.MetricFamily` messages, each preceded by
 * its length as a varint ("delimited"). It is the only format that carries native histograms, so
 * `/singleTargetMetrics` passes an instance's protobuf body through to a scraper that asked for it,
 * byte for byte. This module frames such a body, appends our own families to it, and adds the
 * instance labels to every metric when label enrichment is on; it never decodes a histogram or a
 * summary, so whatever the client library wrote (native buckets, exemplars, created timestamps)
 * arrives as written.
 *
 * The wire reading and writing is `@bufbuild/protobuf`'s `wire` module (varints, tags, length-
 * delimited forks; no generated code, no reflection): maintained, conformance-tested, and the only
 * part of the library the product loads.
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire'
import { applyTargetLabels } from './enrich.ts'
import { fieldsOf, METRIC_FAMILY, shapeProblem } from './protobuf-schema.ts'
import type { MergeConflict } from './merge.ts'
import type { MetricFamily, MetricType } from './types.ts'

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

/** `MetricType` enum values and, for the types {@link encodeFamilies} writes, the `Metric` field of the value. */
const TYPES: Partial<Record<MetricType, { number: number; valueField: number }>> = {
  counter: { number: 0, valueField: 3 },
  gauge: { number: 1, valueField: 2 },
  untyped: { number: 3, valueField: 5 },
  unknown: { number: 3, valueField: 5 },
}

/** Each message of a delimited body, as a slice of it; throws where the framing is broken. */
function* messagesOf(body: Uint8Array): Generator<Uint8Array> {
  const reader = new BinaryReader(body)
  while (reader.pos < reader.len) {
    const at = reader.pos
    const length = reader.uint32()
    const end = reader.pos + length
    if (end > reader.len) throw new Error(`the message at byte ${at} claims ${length} bytes; only ${reader.len - reader.pos} follow`)
    yield body.subarray(reader.pos, end)
    reader.pos = end
  }
}

const utf8 = new TextDecoder()

/**
 * Why `body` is not a sequence of delimited `MetricFamily` messages, or undefined when it is:
 * frames, and every field at every depth as metrics.proto has it (protobuf-schema.ts), so a body cut
 * short or broken inside a histogram is never passed on or merged.
 */
export function checkDelimited(body: Uint8Array): string | undefined {
  try {
    let index = 0
    for (const message of messagesOf(body)) {
      const problem = shapeProblem(message, METRIC_FAMILY)
      if (problem !== undefined) return `family ${index}: ${problem}`
      index++
    }
    return undefined
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

/** One `Metric` message with the target labels applied; its other fields copied as they were. */
function enrichMetric(metric: Uint8Array, labels: Record<string, string>): Uint8Array {
  const values = new Map<string, string>()
  const rest: Uint8Array[] = []
  for (const { field, wire, raw, value: pair } of fieldsOf(metric)) {
    if (field !== METRIC_LABEL || wire !== WireType.LengthDelimited) {
      rest.push(raw)
      continue
    }
    let name = ''
    let value = ''
    for (const part of fieldsOf(pair)) {
      if (part.wire !== WireType.LengthDelimited) continue
      if (part.field === LABEL_NAME) name = utf8.decode(part.value)
      else if (part.field === LABEL_VALUE) value = utf8.decode(part.value)
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
 * well-formed is left out whole (a failure). `own` (our families, already labelled) come last.
 * Histograms, native ones included, are copied as they were written.
 */
export function mergeDelimited(
  sources: readonly DelimitedSource[],
  own: MetricFamily[],
): { body: Uint8Array; conflicts: MergeConflict[]; failures: Array<{ sourceIndex: number; error: string }> } {
  const families = new Map<string, MergedProtoFamily>()
  const conflicts: MergeConflict[] = []
  const failures: Array<{ sourceIndex: number; error: string }> = []
  const add = (body: Uint8Array, labels: Record<string, string> | undefined, sourceIndex: number): void => {
    const problem = checkDelimited(body)
    if (problem !== undefined) return void failures.push({ sourceIndex, error: problem })
    try {
      const read: Array<{ name: string; type: number; head: Uint8Array[]; metrics: Uint8Array[] }> = []
      for (const message of messagesOf(body)) {
        const family = { name: '', type: 0, head: [] as Uint8Array[], metrics: [] as Uint8Array[] }
        for (const { field, raw, value } of fieldsOf(message)) {
          if (field === FAMILY_METRIC) family.metrics.push(labels === undefined ? value : enrichMetric(value, labels))
          else {
            if (field === FAMILY_NAME) family.name = utf8.decode(value)
            else if (field === FAMILY_TYPE) family.type = new BinaryReader(value).int32()
            family.head.push(raw)
          }
        }
        read.push(family)
      }
      // The whole body is read before any of it joins the answer: a source is in, or out whole.
      for (const family of read) {
        const merged = families.get(family.name)
        if (merged === undefined) families.set(family.name, { type: family.type, head: family.head, metrics: family.metrics })
        else if (merged.type !== family.type) conflicts.push({ metric: family.name, sourceIndex, firstType: TYPE_NAMES[merged.type] ?? 'untyped', conflictingType: TYPE_NAMES[family.type] ?? 'untyped' })
        else merged.metrics.push(...family.metrics)
      }
    } catch (error) {
      failures.push({ sourceIndex, error: `a metric cannot be read: ${(error as Error).message}` })
    }
  }
  sources.forEach((source, i) => add(source.body, source.labels, i))
  add(encodeFamilies(own), undefined, sources.length)
  const out = new BinaryWriter()
  for (const family of families.values()) {
    const w = new BinaryWriter()
    for (const raw of family.head) w.raw(raw)
    for (const metric of family.metrics) w.tag(FAMILY_METRIC, WireType.LengthDelimited).bytes(metric)
    const message = w.finish()
    out.uint32(message.byteLength).raw(message)
  }
  return { body: out.finish(), conflicts, failures }
}
