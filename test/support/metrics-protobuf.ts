/**
 * Prometheus's protobuf exposition on the test side, written from metrics.proto
 * (io.prometheus.client) independently of the product: a client library's answer with a native
 * histogram (what client_golang writes when Prometheus asks for protobuf), and a decoder of the
 * fields the tests look at, so a test can say what a body holds.
 */
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire'

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited'

/** The Accept header of Prometheus 2.42 with `--enable-feature=native-histograms` (scrape/scrape.go). */
export const PROMETHEUS_NATIVE_ACCEPT =
  'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'

/** A native histogram as client_golang exposes it: exponential buckets of `schema`, positive side only. */
export interface NativeHistogram {
  count: number
  sum: number
  schema: number
  zeroThreshold: number
  zeroCount: number
  /** Spans of populated buckets: offset from the previous span's end (the first from 0), length. */
  spans: Array<[offset: number, length: number]>
  /** Bucket counts (absolute; written as deltas, as the format wants). */
  counts: number[]
}

/** One `MetricFamily` of type histogram with one metric (`labels`) holding `h`, length-prefixed. */
export function nativeHistogramFamily(name: string, help: string, labels: Record<string, string>, h: NativeHistogram): Uint8Array {
  const w = new BinaryWriter().tag(1, WireType.LengthDelimited).string(name).tag(2, WireType.LengthDelimited).string(help).tag(3, WireType.Varint).int32(4)
  w.tag(4, WireType.LengthDelimited).fork()
  for (const [n, v] of Object.entries(labels)) w.tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(n).tag(2, WireType.LengthDelimited).string(v).join()
  w.tag(7, WireType.LengthDelimited).fork()
  w.tag(1, WireType.Varint).uint64(h.count).tag(2, WireType.Bit64).double(h.sum)
  w.tag(5, WireType.Varint).sint32(h.schema).tag(6, WireType.Bit64).double(h.zeroThreshold).tag(7, WireType.Varint).uint64(h.zeroCount)
  for (const [offset, length] of h.spans) w.tag(12, WireType.LengthDelimited).fork().tag(1, WireType.Varint).sint32(offset).tag(2, WireType.Varint).uint32(length).join()
  let previous = 0
  for (const count of h.counts) {
    w.tag(13, WireType.Varint).sint64(count - previous)
    previous = count
  }
  w.join().join()
  return delimited(w.finish())
}

/** One `MetricFamily` of type counter with one metric per label set. */
export function counterFamily(name: string, help: string, metrics: Array<{ labels: Record<string, string>; value: number }>): Uint8Array {
  const w = new BinaryWriter().tag(1, WireType.LengthDelimited).string(name).tag(2, WireType.LengthDelimited).string(help).tag(3, WireType.Varint).int32(0)
  for (const m of metrics) {
    w.tag(4, WireType.LengthDelimited).fork()
    for (const [n, v] of Object.entries(m.labels)) w.tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(n).tag(2, WireType.LengthDelimited).string(v).join()
    w.tag(3, WireType.LengthDelimited).fork().tag(1, WireType.Bit64).double(m.value).join()
    w.join()
  }
  return delimited(w.finish())
}

function delimited(message: Uint8Array): Uint8Array {
  return new BinaryWriter().uint32(message.byteLength).raw(message).finish()
}

/** What a test looks at in one decoded metric. */
export interface DecodedMetric {
  /** Label pairs in wire order. */
  labels: Array<[string, string]>
  gauge?: number
  counter?: number
  histogram?: { count: number; sum: number; schema: number; deltas: number[] }
}

/** What a test looks at in one decoded family. */
export interface DecodedFamily {
  name: string
  help?: string
  type: number
  metrics: DecodedMetric[]
}

/** Decodes every family of a delimited body (throws on broken framing). */
export function decodeFamilies(body: Uint8Array): DecodedFamily[] {
  const families: DecodedFamily[] = []
  const outer = new BinaryReader(body)
  while (outer.pos < outer.len) {
    const r = new BinaryReader(outer.bytes())
    const family: DecodedFamily = { name: '', type: 0, metrics: [] }
    each(r, (field, wire) => {
      if (field === 1) family.name = r.string()
      else if (field === 2) family.help = r.string()
      else if (field === 3) family.type = r.int32()
      else if (field === 4) family.metrics.push(decodeMetric(r.bytes()))
      else r.skip(wire, field)
    })
    families.push(family)
  }
  return families
}

function decodeMetric(bytes: Uint8Array): DecodedMetric {
  const r = new BinaryReader(bytes)
  const metric: DecodedMetric = { labels: [] }
  each(r, (field, wire) => {
    if (field === 1) {
      const pair = new BinaryReader(r.bytes())
      let name = ''
      let value = ''
      each(pair, (f, w) => (f === 1 ? (name = pair.string()) : f === 2 ? (value = pair.string()) : pair.skip(w, f)))
      metric.labels.push([name, value])
    } else if (field === 2 || field === 3) {
      const value = new BinaryReader(r.bytes())
      let v = 0
      each(value, (f, w) => (f === 1 ? (v = value.double()) : value.skip(w, f)))
      if (field === 2) metric.gauge = v
      else metric.counter = v
    } else if (field === 7) {
      const h = new BinaryReader(r.bytes())
      const histogram = { count: 0, sum: 0, schema: 0, deltas: [] as number[] }
      each(h, (f, w) => {
        if (f === 1) histogram.count = Number(h.uint64())
        else if (f === 2) histogram.sum = h.double()
        else if (f === 5) histogram.schema = h.sint32()
        else if (f === 13) histogram.deltas.push(Number(h.sint64()))
        else h.skip(w, f)
      })
      metric.histogram = histogram
    } else r.skip(wire, field)
  })
  return metric
}

function each(r: BinaryReader, onField: (field: number, wire: WireType) => unknown): void {
  while (r.pos < r.len) {
    const [field, wire] = r.tag()
    onField(field, wire)
  }
}
