/**
 * The protobuf exposition as the product handles it: our families encoded as a client library
 * would, an instance's body framed and checked without being decoded, and label enrichment that adds
 * the instance labels to every metric (a colliding label kept as `exported_<name>`) while every
 * other byte of a native histogram stays as the instance wrote it.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkDelimited, encodeFamilies, mergeDelimited } from '../../src/exposition/protobuf.ts'
import { counterFamily, decodeFamilies, nativeHistogramFamily, type NativeHistogram } from '../support/metrics-protobuf.ts'

const HISTOGRAM: NativeHistogram = { count: 12, sum: 3.5, schema: 3, zeroThreshold: 1e-128, zeroCount: 2, spans: [[-2, 3], [4, 2]], counts: [1, 3, 2, 3, 1] }
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]))

describe('encodeFamilies', () => {
  it('writes gauges and counters that decode to the same names, help, labels and values', () => {
    const body = encodeFamilies([
      { name: 'promregator_up', type: 'gauge', help: 'Up.', samples: [{ name: 'promregator_up', labels: { b: '2', a: 'ü' }, value: 1 }] },
      { name: 'jobs_total', type: 'counter', samples: [{ name: 'jobs_total', labels: {}, value: 0.25 }] },
    ])
    expect(checkDelimited(body)).toBeUndefined()
    expect(decodeFamilies(body)).toEqual([
      { name: 'promregator_up', help: 'Up.', type: 1, metrics: [{ labels: [['a', 'ü'], ['b', '2']], gauge: 1 }] },
      { name: 'jobs_total', type: 0, metrics: [{ labels: [], counter: 0.25 }] },
    ])
  })

  it('refuses a type it cannot write rather than writing it wrong', () => {
    expect(() => encodeFamilies([{ name: 'h', type: 'histogram', samples: [] }])).toThrow(/histogram/)
  })
})

describe('checkDelimited', () => {
  const body = concat(nativeHistogramFamily('rpc_seconds', 'RPC latency.', { code: '200' }, HISTOGRAM), counterFamily('jobs_total', 'Jobs.', [{ labels: {}, value: 3 }]))

  it('accepts what a client library writes, and an empty body', () => {
    expect(checkDelimited(body)).toBeUndefined()
    expect(checkDelimited(new Uint8Array(0))).toBeUndefined()
  })

  it('finds a body cut short, a length running past the end, and a family field of the wrong wire type', () => {
    expect(checkDelimited(body.subarray(0, body.byteLength - 3))).toMatch(/claims \d+ bytes/)
    expect(checkDelimited(Uint8Array.of(0x05, 0x0a, 0x01))).toMatch(/claims 5 bytes/)
    // A family whose name (field 1) is a varint.
    expect(checkDelimited(Uint8Array.of(0x02, 0x08, 0x01))).toMatch(/field 1 has wire type 0/)
    expect(checkDelimited(new TextEncoder().encode('# TYPE up gauge\nup 1\n'))).toBeDefined()
    // A family of an unknown type (9), a label value that is not UTF-8, a histogram with a broken span.
    expect(checkDelimited(Uint8Array.of(0x05, 0x0a, 0x01, 0x61, 0x18, 0x09))).toMatch(/field 3: unknown value 9/)
    const label = counterFamily('j', 'J.', [{ labels: { a: 'x' }, value: 1 }])
    label[label.indexOf(0x78)] = 0xff
    expect(checkDelimited(label)).toMatch(/LabelPair field 2 is not UTF-8/)
    const histogram = nativeHistogramFamily('h', 'H.', {}, { ...HISTOGRAM, spans: [[0, 2]], counts: [1, 2] })
    // The span's length (field 2 of BucketSpan, tag 0x10) turned into a 64-bit field (tag 0x11).
    const span = histogram.findIndex((b, i) => b === 0x62 && histogram[i + 2] === 0x08)
    expect(histogram[span + 4]).toBe(0x10)
    histogram[span + 4] = 0x11
    expect(checkDelimited(histogram)).toMatch(/BucketSpan field 2 has wire type 1|runs past|premature EOF/)
  })
})

describe('mergeDelimited', () => {
  it('adds the instance labels to every metric, sorted, keeps a colliding one as exported_, and leaves the histogram untouched', () => {
    const body = concat(
      nativeHistogramFamily('rpc_seconds', 'RPC latency.', { code: '200', app_name: 'spoofed' }, HISTOGRAM),
      counterFamily('jobs_total', 'Jobs.', [{ labels: { queue: 'a' }, value: 3 }, { labels: {}, value: 4 }]),
    )
    const r = mergeDelimited([{ body, labels: { app_name: 'shop', org_name: 'acme' } }], [])
    expect(r.failures).toEqual([])
    const [histogram, jobs] = decodeFamilies(r.body)
    expect(histogram!.name).toBe('rpc_seconds')
    expect(histogram!.help).toBe('RPC latency.')
    expect(histogram!.metrics[0]!.labels).toEqual([['app_name', 'shop'], ['code', '200'], ['exported_app_name', 'spoofed'], ['org_name', 'acme']])
    expect(histogram!.metrics[0]!.histogram).toEqual(decodeFamilies(body)[0]!.metrics[0]!.histogram)
    expect(jobs!.metrics.map((m) => [m.labels, m.counter])).toEqual([
      [[['app_name', 'shop'], ['org_name', 'acme'], ['queue', 'a']], 3],
      [[['app_name', 'shop'], ['org_name', 'acme']], 4],
    ])
  })

  it('sorts a metric labels with ours when they come unsorted, and lets ours replace an empty one', () => {
    const body = counterFamily('jobs_total', 'Jobs.', [{ labels: { zone: 'z1', app_name: '', beta: 'b' }, value: 5 }])
    const r = mergeDelimited([{ body, labels: { app_name: 'shop', org_name: 'acme' } }], [])
    expect(decodeFamilies(r.body)[0]!.metrics[0]!.labels).toEqual([['app_name', 'shop'], ['beta', 'b'], ['org_name', 'acme'], ['zone', 'z1']])
  })

  it('merges the families of several instances by name, drops a conflicting type for its instance, and leaves a broken body out whole', () => {
    const a = concat(nativeHistogramFamily('rpc_seconds', 'RPC latency.', {}, HISTOGRAM), counterFamily('jobs_total', 'Jobs.', [{ labels: {}, value: 1 }]))
    const b = concat(counterFamily('rpc_seconds', 'Not a histogram.', [{ labels: {}, value: 9 }]), counterFamily('jobs_total', 'Jobs, again.', [{ labels: {}, value: 2 }]))
    const broken = a.subarray(0, a.byteLength - 2)
    const own = [{ name: 'promregator_up', type: 'gauge' as const, samples: [0, 1, 2].map((i) => ({ name: 'promregator_up', labels: { instance_number: String(i) }, value: i === 2 ? 0 : 1 })) }]
    const r = mergeDelimited([{ body: a, labels: { instance_number: '0' } }, { body: b, labels: { instance_number: '1' } }, { body: broken, labels: { instance_number: '2' } }], own)
    expect(r.conflicts).toEqual([{ metric: 'rpc_seconds', sourceIndex: 1, firstType: 'histogram', conflictingType: 'counter' }])
    expect(r.failures).toEqual([{ sourceIndex: 2, error: expect.stringMatching(/claims \d+ bytes/) }])
    const families = decodeFamilies(r.body)
    expect(families.map((f) => [f.name, f.help, f.metrics.map((m) => Object.fromEntries(m.labels).instance_number)])).toEqual([
      ['rpc_seconds', 'RPC latency.', ['0']],
      ['jobs_total', 'Jobs.', ['0', '1']],
      ['promregator_up', undefined, ['0', '1', '2']],
    ])
  })
})

describe('whatever bytes an instance sends', () => {
  const valid = concat(nativeHistogramFamily('rpc_seconds', 'RPC latency.', { code: '200' }, HISTOGRAM), counterFamily('jobs_total', 'Jobs.', [{ labels: { q: 'a' }, value: 3 }]))
  const neighbour = counterFamily('neighbour_total', 'Neighbour.', [{ labels: {}, value: 7 }])
  // Random bytes, and the valid body with bytes changed, cut or added.
  const bodies = fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.array(fc.tuple(fc.nat(valid.byteLength - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }).map((edits) => {
      const b = Uint8Array.from(valid)
      for (const [at, byte] of edits) b[at] = byte
      return b
    }),
    fc.nat(valid.byteLength).map((n) => valid.subarray(0, n)),
  )

  it('never throw, and the merged answer beside a healthy neighbour is well-formed and keeps it', () => {
    fc.assert(
      fc.property(bodies, (body) => {
        const r = mergeDelimited([{ body, labels: { app_name: 'case' } }, { body: neighbour, labels: { app_name: 'neighbour' } }], [])
        expect(checkDelimited(r.body)).toBeUndefined()
        const kept = decodeFamilies(r.body).find((f) => f.name === 'neighbour_total')
        expect(kept?.metrics.map((m) => m.counter)).toEqual([7])
        expect(r.failures.every((f) => f.sourceIndex === 0)).toBe(true)
      }),
      { numRuns: 500 },
    )
  })
})
