/**
 * @module bench/aggregate
 * Aggregate scrape: `/metrics` over INSTANCES simulated instances × 100 samples (every instance
 * scraped through the simulated gorouter, parsed, labelled, merged, written), next to the floor of
 * the same work without merging: this process fetching the same bodies through the same gorouter
 * with the same concurrency (64, promregator's default), reading each body as text. `/metrics` is
 * asked with `Accept-Encoding: gzip`, as Prometheus asks, and once more without, to show what the
 * compression costs. Same simulator, same run, alternating; medians of RUNS each.
 *   node_modules/.bin/bun bench/aggregate.ts [INSTANCES] [RUNS]
 */
import pLimit from 'p-limit'
import { terminate } from '../test/support/e2e.ts'
import { benchConfig, fmt, machine, median, rss, saveResult, startBenchSim, startBinary, verdict, waitFor200, writeSection, type BenchSim, type Started } from './support.ts'

const INSTANCES = Number(process.argv[2] ?? 1000)
const RUNS = Number(process.argv[3] ?? 11)
const PER_APP = 10
const SERIES = 100
const CONCURRENCY = 64

/** Milliseconds the simulated instance waits before answering: none (the CPU-bound worst case), then a typical round trip. */
const LATENCIES = [0, Number(process.env.BENCH_LATENCY_MS ?? 10)]

type Target = { url: string; header: string }

/** The floor: every body fetched in parallel through the gorouter, nothing parsed or merged. */
async function fetchAll(sim: BenchSim, targets: Target[]): Promise<{ ms: number; bytes: number }> {
  const limit = pLimit(CONCURRENCY)
  const started = performance.now()
  const sizes = await Promise.all(
    targets.map((t) =>
      limit(async () => {
        const response = await fetch(t.url, { proxy: sim.proxyUrl, headers: { 'x-cf-app-instance': t.header, accept: 'text/plain;version=0.0.4' } } as RequestInit)
        const text = await response.text()
        if (response.status !== 200) throw new Error(`instance ${t.header}: HTTP ${response.status}`)
        return text.length
      }),
    ),
  )
  return { ms: performance.now() - started, bytes: sizes.reduce((a, b) => a + b, 0) }
}

/** The durations of a `Server-Timing` header by name (ms). */
function serverTiming(header: string | null): Record<string, number> {
  const out: Record<string, number> = {}
  for (const metric of (header ?? '').split(',')) {
    const dur = /;\s*dur=([\d.]+)/.exec(metric)?.[1]
    if (dur !== undefined) out[metric.split(';')[0]!.trim()] = Number(dur)
  }
  return out
}

/** One `/metrics` request, read to the end (decompressed, as Prometheus reads it). */
async function aggregate(product: Started, encoding: 'gzip' | 'identity'): Promise<{ ms: number; headersMs: number; timing: Record<string, number>; bytes: number; samples: number; up: number }> {
  const started = performance.now()
  const response = await fetch(`${product.base}/metrics`, { headers: { accept: 'text/plain;version=0.0.4', 'accept-encoding': encoding } })
  const headersMs = performance.now() - started
  const text = await response.text()
  const ms = performance.now() - started
  if (response.status !== 200) throw new Error(`/metrics: HTTP ${response.status}`)
  if ((response.headers.get('content-encoding') ?? 'identity') !== encoding) throw new Error(`/metrics: asked for ${encoding}, got ${response.headers.get('content-encoding')}`)
  const up = text.match(/^promregator_up\{[^}]*\} 1$/gm)?.length ?? 0
  const samples = text.split('\n').filter((l) => l && !l.startsWith('#')).length
  return { ms, headersMs, timing: serverTiming(response.headers.get('server-timing')), bytes: text.length, samples, up }
}

/** One full measurement against a simulator whose instances answer after `delayMs`. */
async function measure(delayMs: number): Promise<Record<string, number | boolean>> {
  const sim = await startBenchSim({ apps: Math.ceil(INSTANCES / PER_APP), instances: PER_APP, series: SERIES, delayMs })
  const product = await startBinary(benchConfig(sim))
  const targets: Target[] = sim.apps.flatMap(([guid, instances, route]) => Array.from({ length: instances }, (_, i) => ({ url: `http://${route}/metrics`, header: `${guid}:${i}` })))
  try {
    await waitFor200(`${product.base}/-/ready`, 120_000)
    const before = rss(product.child.pid!)
    await aggregate(product, 'gzip')
    await aggregate(product, 'identity')
    await fetchAll(sim, targets)
    const merged: number[] = []
    const phases: Record<'scrape' | 'merge' | 'compress' | 'total' | 'headers', number[]> = { scrape: [], merge: [], compress: [], total: [], headers: [] }
    const identity: number[] = []
    const floor: number[] = []
    let last = { bytes: 0, samples: 0, up: 0 }
    let floorBytes = 0
    for (let i = 0; i < RUNS; i++) {
      const a = await aggregate(product, 'gzip')
      merged.push(a.ms)
      for (const name of ['scrape', 'merge', 'compress', 'total'] as const) phases[name].push(a.timing[name] ?? NaN)
      phases.headers.push(a.headersMs)
      last = a
      identity.push((await aggregate(product, 'identity')).ms)
      const f = await fetchAll(sim, targets)
      floor.push(f.ms)
      floorBytes = f.bytes
    }
    const ratio = median(merged) / median(floor)
    const after = rss(product.child.pid!)
    return {
      rssBeforeMiB: before.rssMiB,
      rssPeakMiB: after.peakMiB,
      rssAfterMiB: after.rssMiB,
      delayMs,
      instances: targets.length,
      series: SERIES,
      runs: RUNS,
      concurrency: CONCURRENCY,
      mergedMedianMs: median(merged),
      identityMedianMs: median(identity),
      floorMedianMs: median(floor),
      scrapeMedianMs: median(phases.scrape),
      mergeMedianMs: median(phases.merge),
      compressMedianMs: median(phases.compress),
      serverTotalMedianMs: median(phases.total),
      headersMedianMs: median(phases.headers),
      inputMB: floorBytes / 1e6,
      outputMB: last.bytes / 1e6,
      outputSamples: last.samples,
      instancesUp: last.up,
      ratio,
      target: 1.5,
      met: ratio <= 1.5,
    }
  } finally {
    await terminate(product.child)
    await terminate(sim.child)
  }
}

const runs: Record<string, number | boolean>[] = []
for (const delayMs of LATENCIES) runs.push(await measure(delayMs))
// The verdict is the CPU-bound case: the one where everything promregator adds shows.
const result = { ...runs[0]!, withLatency: runs[1]! } as Record<string, number | boolean> & { withLatency: Record<string, number | boolean> }
const slow = result.withLatency

saveResult('aggregate', result)
const n = (r: Record<string, number | boolean>, key: string, digits = 0) => fmt(r[key] as number, digits)
writeSection(
  'aggregate',
  'Aggregate scrape',
  `
\`GET /metrics\` over ${(result.instances as number).toLocaleString('en')} simulated instances (${Math.ceil(INSTANCES / PER_APP)} apps × ${PER_APP}), ${SERIES} samples each:
every instance fetched through the simulated gorouter (up to ${CONCURRENCY} at once), parsed, given the five CF labels,
merged into one document of ${(result.outputSamples as number).toLocaleString('en')} samples (${n(result, 'outputMB', 1)} MB) and sent gzipped (the client asks with
\`Accept-Encoding: gzip\`, as Prometheus does, and reads the body decompressed). The floor does only the
fetching: the bench process requests the same ${(result.instances as number).toLocaleString('en')} bodies (${n(result, 'inputMB', 1)} MB) through the same gorouter with the
same concurrency and reads them as text. Alternating, medians of ${RUNS} runs after one warm-up each. Measured twice:
with the simulated instances answering at once (every millisecond is CPU on the 2 cores that promregator, the
simulator and the client share: the worst case for promregator, and the one the target is judged on), and with each
instance answering after ${slow.delayMs} ms, as an app behind a real gorouter does.

| | instances answer at once | after ${slow.delayMs} ms |
|---|---:|---:|
| promregator \`/metrics\`, gzip (fetch + parse + label + merge + write + compress) | ${n(result, 'mergedMedianMs')} ms | ${n(slow, 'mergedMedianMs')} ms |
| promregator \`/metrics\`, uncompressed | ${n(result, 'identityMedianMs')} ms | ${n(slow, 'identityMedianMs')} ms |
| the same fetches without merging | ${n(result, 'floorMedianMs')} ms | ${n(slow, 'floorMedianMs')} ms |
| ratio | **${n(result, 'ratio', 2)}×** | ${n(slow, 'ratio', 2)}× |

Ratio: ${verdict(result.ratio as number, '≤ 1.5×', result.met as boolean)} (with ${slow.delayMs} ms per instance: ${n(slow, 'ratio', 2)}×). Instances reported up in the last \`/metrics\`: ${result.instancesUp}/${result.instances} and ${slow.instancesUp}/${slow.instances}.

Where the gzip answer's time goes, from the \`Server-Timing\` header promregator sends with \`/metrics\` (medians):

| phase | at once | after ${slow.delayMs} ms |
|---|---:|---:|
| \`scrape\`: the ${(result.instances as number).toLocaleString('en')} scrapes, each body scanned as it arrives | ${n(result, 'scrapeMedianMs')} ms | ${n(slow, 'scrapeMedianMs')} ms |
| \`merge\`: one document of all families with the labels added | ${n(result, 'mergeMedianMs')} ms | ${n(slow, 'mergeMedianMs')} ms |
| \`compress\`: gzip of the text | ${n(result, 'compressMedianMs')} ms | ${n(slow, 'compressMedianMs')} ms |
| \`total\` in the server (until the headers go out) | ${n(result, 'serverTotalMedianMs')} ms | ${n(slow, 'serverTotalMedianMs')} ms |
| the client: request sent → headers in | ${n(result, 'headersMedianMs')} ms | ${n(slow, 'headersMedianMs')} ms |
| the client: headers → body read and inflated (${n(result, 'outputMB', 1)} MB) | ${fmt((result.mergedMedianMs as number) - (result.headersMedianMs as number), 0)} ms | ${fmt((slow.mergedMedianMs as number) - (slow.headersMedianMs as number), 0)} ms |

Memory: promregator's RSS was ${n(result, 'rssBeforeMiB')} MiB before the first \`/metrics\`, peaked at ${n(result, 'rssPeakMiB')} MiB (VmHWM) over the
${2 * RUNS + 2} answers (one at a time) and was ${n(result, 'rssAfterMiB')} MiB after the last. One answer over ${(result.instances as number).toLocaleString('en')} instances holds
their bodies, the index of each, the pieces of the merged text, the text and its gzip at once (here the peak is
${fmt((result.rssPeakMiB as number) - (result.rssBeforeMiB as number), 0)} MiB above the idle RSS); the binary collects garbage once each answer is on its way (without that,
RSS climbed to ~300 MiB over a few answers).
A memory quota for \`/metrics\` over this many instances needs that headroom; \`/singleTargetMetrics\` with
\`/discovery\` holds one instance's body per scrape in flight (see the memory figures).

Where the time beyond the floor goes. With instances answering at once, the fetches are CPU work on the one
JavaScript thread, and so is everything promregator adds: its scrapes' bookkeeping (deadline, headers, the
concurrency bound, outcome and metrics: about 30 µs per scrape, measured by switching scanning off), scanning
${n(result, 'inputMB', 1)} MB of exposition as each body arrives (about 30 ms), which therefore cannot hide behind the fetches,
then the merge into ${n(result, 'outputMB', 1)} MB (the output is three times the input: every sample gains the five Cloud
Foundry labels), gzip at level 1 (\`Bun.gzipSync\` reading the string as it is; ~8× faster than
\`CompressionStream\`'s default level, output 1.6× larger), and the client inflating and decoding ${n(result, 'outputMB', 1)} MB where
the floor reads ${n(result, 'inputMB', 1)} MB. When the instances take ${slow.delayMs} ms to answer, the thread waits between bodies, the
scanning fits into those waits, and what is left beyond the floor is the merge, the compression and the larger
answer. The target would need the first case's added work to take at most half the time of its fetches.

Command: \`node_modules/.bin/bun bench/aggregate.ts ${INSTANCES} ${RUNS}\` (\`BENCH_LATENCY_MS\` sets the second latency) on ${machine()}.
`,
)
console.log(JSON.stringify(result))
process.exit(0)
