/**
 * The protobuf exposition as the product handles it: our families encoded as a client library
 * would, an instance's body framed and checked without being decoded, and label enrichment that adds
 * the instance labels to every metric (a colliding label kept as `exported_<name>`) while every
 * other byte of a native histogram stays as the instance wrote it.
 */
import { describe, expect, it } from 'vitest'
import { checkDelimited, encodeFamilies, enrichDelimited } from '../../src/exposition/protobuf.ts'
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
  })
})

describe('enrichDelimited', () => {
  it('adds the instance labels to every metric, sorted, keeps a colliding one as exported_, and leaves the histogram untouched', () => {
    const body = concat(
      nativeHistogramFamily('rpc_seconds', 'RPC latency.', { code: '200', app_name: 'spoofed' }, HISTOGRAM),
      counterFamily('jobs_total', 'Jobs.', [{ labels: { queue: 'a' }, value: 3 }, { labels: {}, value: 4 }]),
    )
    const r = enrichDelimited(body, { app_name: 'shop', org_name: 'acme' })
    if (!r.ok) throw new Error(r.error)
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

  it('reports a broken body instead of rewriting it', () => {
    const r = enrichDelimited(Uint8Array.of(0x09, 0x0a), { app_name: 'shop' })
    expect(r.ok).toBe(false)
  })
})
