/**
 * @module exposition/protobuf-schema
 * The shape of Prometheus's protobuf exposition (metrics.proto, package io.prometheus.client) as
 * far as the wire goes: for every message, which field carries which wire type and which message.
 * An instance's protobuf body is walked against it before any of it is passed on or merged, so a
 * body with a broken field anywhere — inside a native histogram too — is left out whole instead of
 * making Prometheus reject the entire scrape. Fields the schema does not name are allowed (newer
 * client libraries add fields), as protobuf decoders allow them; repeated numbers may come packed.
 */
import { BIT64, FieldCursor, isUtf8, LEN, VARINT } from './protobuf-wire.ts'

/** What one field must be: its wire type, the message it holds, or packed numbers, or UTF-8 text. */
interface FieldRule {
  wire: number
  message?: MessageShape
  /** A repeated number, which may also come packed (length-delimited). */
  packed?: true
  text?: true
  /** An enum: the largest value a reader knows. */
  enumMax?: number
}

/** One message of metrics.proto: its name (for messages) and its fields by number. */
export interface MessageShape {
  name: string
  fields: Record<number, FieldRule>
}

const LD = LEN
const number = (wire: number): FieldRule => ({ wire })
const text: FieldRule = { wire: LD, text: true }
const holds = (message: MessageShape): FieldRule => ({ wire: LD, message })
const repeated = (wire: number): FieldRule => ({ wire, packed: true })

const TIMESTAMP: MessageShape = { name: 'Timestamp', fields: { 1: number(VARINT), 2: number(VARINT) } }
const LABEL_PAIR: MessageShape = { name: 'LabelPair', fields: { 1: text, 2: text } }
const EXEMPLAR: MessageShape = { name: 'Exemplar', fields: { 1: holds(LABEL_PAIR), 2: number(BIT64), 3: holds(TIMESTAMP) } }
const GAUGE: MessageShape = { name: 'Gauge', fields: { 1: number(BIT64) } }
const UNTYPED: MessageShape = { name: 'Untyped', fields: { 1: number(BIT64) } }
const COUNTER: MessageShape = { name: 'Counter', fields: { 1: number(BIT64), 2: holds(EXEMPLAR), 3: holds(TIMESTAMP) } }
const QUANTILE: MessageShape = { name: 'Quantile', fields: { 1: number(BIT64), 2: number(BIT64) } }
const SUMMARY: MessageShape = { name: 'Summary', fields: { 1: number(VARINT), 2: number(BIT64), 3: holds(QUANTILE), 4: holds(TIMESTAMP) } }
const BUCKET: MessageShape = { name: 'Bucket', fields: { 1: number(VARINT), 2: number(BIT64), 3: holds(EXEMPLAR), 4: number(BIT64) } }
const BUCKET_SPAN: MessageShape = { name: 'BucketSpan', fields: { 1: number(VARINT), 2: number(VARINT) } }
const HISTOGRAM: MessageShape = {
  name: 'Histogram',
  fields: {
    1: number(VARINT), 2: number(BIT64), 3: holds(BUCKET), 4: number(BIT64), 5: number(VARINT), 6: number(BIT64), 7: number(VARINT), 8: number(BIT64),
    9: holds(BUCKET_SPAN), 10: repeated(VARINT), 11: repeated(BIT64), 12: holds(BUCKET_SPAN), 13: repeated(VARINT), 14: repeated(BIT64),
    15: holds(TIMESTAMP), 16: holds(EXEMPLAR),
  },
}
const METRIC: MessageShape = {
  name: 'Metric',
  fields: { 1: holds(LABEL_PAIR), 2: holds(GAUGE), 3: holds(COUNTER), 4: holds(SUMMARY), 5: holds(UNTYPED), 6: number(VARINT), 7: holds(HISTOGRAM) },
}
/** `MetricFamily`, each message of a delimited body. */
export const METRIC_FAMILY: MessageShape = {
  name: 'MetricFamily',
  // type: COUNTER, GAUGE, SUMMARY, UNTYPED, HISTOGRAM, GAUGE_HISTOGRAM; Prometheus fails a scrape on any other.
  fields: { 1: text, 2: text, 3: { wire: VARINT, enumMax: 5 }, 4: holds(METRIC), 5: text },
}

/**
 * What is wrong with the message at `buf[from, limit)` as a `shape` (its first problem), or
 * undefined. Throws where its framing is broken.
 */
export function shapeProblem(buf: Uint8Array, shape: MessageShape, from = 0, limit = buf.byteLength): string | undefined {
  const c = new FieldCursor(buf, from, limit)
  while (c.next()) {
    const rule = shape.fields[c.field]
    if (rule === undefined) continue
    if (rule.packed && c.wire === LD) {
      if (!isPacked(c, rule.wire)) return `${shape.name} field ${c.field}: packed numbers cut short`
      continue
    }
    if (c.wire !== rule.wire) return `${shape.name} field ${c.field} has wire type ${c.wire}, expected ${rule.wire}`
    if (rule.enumMax !== undefined) {
      const n = c.varintValue()
      if (n > rule.enumMax) return `${shape.name} field ${c.field}: unknown value ${n}`
    } else if (rule.message !== undefined) {
      const problem = shapeProblem(buf, rule.message, c.valueStart, c.end)
      if (problem !== undefined) return problem
    } else if (rule.text && !isUtf8(buf, c.valueStart, c.end)) return `${shape.name} field ${c.field} is not UTF-8`
  }
  return undefined
}

/** Whether the current field's value is whole numbers of `wire` (varints, or 8-byte values) back to back. */
function isPacked(c: FieldCursor, wire: number): boolean {
  if (wire === BIT64) return (c.end - c.valueStart) % 8 === 0
  const values = c.inner()
  while (values.pos < values.limit) values.varint()
  return true
}
