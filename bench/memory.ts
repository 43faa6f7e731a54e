/**
 * @module bench/memory
 * Memory: resident set size of the binary (from /proc) idle after discovering TARGETS instances,
 * then while Prometheus's load is replayed: every instance scraped once per 15 s through
 * `/singleTargetMetrics`, the scrapes spread evenly over the interval, for INTERVALS intervals.
 * Each instance's body has 100 samples (~6 KB). The bare compiled Bun server's RSS is the floor.
 *   node_modules/.bin/bun bench/memory.ts [TARGETS] [INTERVALS]
 */
import { execFileSync, spawn } from 'node:child_process'
import os from 'node:os'
import { terminate } from '../test/support/e2e.ts'
import {
  benchConfig,
  fmt,
  machine,
  median,
  percentile,
  ROOT,
  rss,
  saveResult,
  sleep,
  startBenchSim,
  startBinary,
  track,
  waitFor200,
  writeSection,
} from './support.ts'

const TARGETS = Number(process.argv[2] ?? 3000)
const INTERVALS = Number(process.argv[3] ?? 2)
const INTERVAL_MS = 15_000
const SERIES = 100
const BASELINE = `${ROOT}.tmp/bench/minimal-server`

execFileSync('node', [`${ROOT}scripts/build.mjs`, BASELINE, 'bench/minimal-server.ts'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })
const floorChild = track(spawn(BASELINE, [], { cwd: os.tmpdir(), env: { PORT: '0' }, stdio: 'ignore' }))
await sleep(1000)
const floorMiB = rss(floorChild.pid!).rssMiB
await terminate(floorChild)

const sim = await startBenchSim({ apps: TARGETS, instances: 1, series: SERIES })
const product = await startBinary(benchConfig(sim))
const pid = product.child.pid!
let result: Record<string, number | boolean>
try {
  await waitFor200(`${product.base}/-/ready`, 120_000)
  await sleep(3000)
  const idle = rss(pid)

  // Prometheus's pace: TARGETS scrapes per interval, one every INTERVAL_MS / TARGETS ms.
  const paths = sim.apps.map(([guid]) => `${product.base}/singleTargetMetrics/${guid}/0`)
  const gap = INTERVAL_MS / paths.length
  const latencies: number[] = []
  let failed = 0
  const samples: number[] = []
  const sampler = setInterval(() => samples.push(rss(pid).rssMiB), 250)
  const started = performance.now()
  const inFlight: Promise<void>[] = []
  for (let n = 0; n < paths.length * INTERVALS; n++) {
    const due = started + n * gap
    const wait = due - performance.now()
    if (wait > 1) await sleep(wait)
    const sent = performance.now()
    inFlight.push(
      fetch(paths[n % paths.length]!)
        .then(async (response) => {
          const body = await response.text()
          if (response.status !== 200 || !body.includes('promregator_up 1')) failed++
          latencies.push(performance.now() - sent)
        })
        .catch(() => void failed++),
    )
  }
  await Promise.all(inFlight)
  clearInterval(sampler)
  const after = rss(pid)
  result = {
    targets: TARGETS,
    intervals: INTERVALS,
    series: SERIES,
    floorMiB,
    idleMiB: idle.rssMiB,
    idleAnonMiB: idle.anonMiB,
    idleFileMiB: idle.fileMiB,
    loadMaxMiB: Math.max(...samples, after.rssMiB),
    loadMedianMiB: median(samples),
    peakMiB: after.peakMiB,
    scrapes: TARGETS * INTERVALS,
    failed,
    p50Ms: median(latencies),
    p99Ms: percentile(latencies, 99),
    // The targets are in MB; judged strictly (10^6 bytes: 64 MB = 61.0 MiB, 128 MB = 122.1 MiB).
    idleMet: idle.rssMiB * 2 ** 20 < 64e6,
    loadMet: after.peakMiB * 2 ** 20 < 128e6,
  }
} finally {
  await terminate(product.child)
  await terminate(sim.child)
}

saveResult('memory', result)
writeSection(
  'memory',
  'Memory',
  `
Resident set size (VmRSS, and the peak VmHWM, from \`/proc/<pid>/status\`) of \`dist/promregator\` serving
${TARGETS.toLocaleString('en')} simulated instances (one target; each instance's body: ${SERIES} samples of text 0.0.4).
Load: every instance scraped through \`/singleTargetMetrics\` once per 15 s, ${(TARGETS / 15).toFixed(0)} requests/s spread
evenly (Prometheus's pace), for ${INTERVALS} intervals (${((TARGETS * INTERVALS) as number).toLocaleString('en')} scrapes).

| | RSS |
|---|---|
| minimal Bun server, same build (floor) | ${fmt(result.floorMiB as number)} MiB |
| idle, after discovering ${TARGETS.toLocaleString('en')} instances | ${fmt(result.idleMiB as number)} MiB (target < 64 MB = 61.0 MiB: ${result.idleMet ? 'met' : '**not met**'}); of which heap and stacks (RssAnon) ${fmt(result.idleAnonMiB as number)} MiB, pages of the executable (RssFile) ${fmt(result.idleFileMiB as number)} MiB |
| under load, median of samples every 250 ms | ${fmt(result.loadMedianMiB as number)} MiB |
| under load, peak (VmHWM) | ${fmt(result.peakMiB as number)} MiB (target < 128 MB = 122.1 MiB: ${result.loadMet ? 'met' : '**not met**'}) |

Scrapes: ${result.failed} failed; latency through promregator p50 ${fmt(result.p50Ms as number)} ms, p99 ${fmt(result.p99Ms as number)} ms.

Where the memory went, and what the binary does about it (src/main.ts, injected through boot and assemble):
- **The peak was discovery, not the scrape load.** Sampled every 15 ms, RSS rose from 58 to 131 MiB in the
  ~130 ms of discovering 3,000 apps (pages of 5,000 resources: 5.5 MB of JSON for the apps, 3.2 MB routes,
  3.6 MB processes, several times that once parsed), while the load itself never went above ~92 MiB. The garbage
  of each page (its text, then its parsed JSON once the schema has kept the fields it needs) piled up until the
  next scheduled collection. Now the CC client calls \`collectGarbage\` (\`Bun.gc(true)\`) after each response of
  1 MB or more is parsed and again once its pages are turned into resources: peak 131 → ~100 MiB, for a few
  full collections of a few milliseconds each per refresh of thousands of apps (smaller responses never trigger one).
- **After every refresh**: a full collection (\`Bun.gc(true)\`, as before: the old picture goes at once), then
  \`Bun.shrink()\`, which hands the freed malloc pages back to the system and drops compiled code (recompiled on
  demand): RssAnon idle 30.9 → 22.6 MiB. Latency under load unchanged within noise.
- **The status page's record of scrape outcomes** was an LRU cache bounded at 100,000 targets, which allocates
  its index arrays for the whole bound up front (2.8 MB of a 9 MB heap). It is now a Map in scrape order, pruned to
  the discovered targets at every refresh: RssAnon idle ~22.5 → ~21 MiB.
- What remains idle is mostly RssFile: pages of the ~110 MB executable (Bun's runtime and the embedded bytecode)
  that the process has touched; they are clean and reclaimable by the kernel, but they count in RSS. With 30
  instances the binary idles at ~53 MiB, 42.6 of them RssFile. Much of the difference to the floor's ~26 MiB of
  RssFile is the code of JavaScriptCore's optimising compilers, run while discovery's loops over thousands of
  resources get hot: measured with JSC's environment switches, idle RSS drops by ~3 MiB without the FTL tier
  (\`BUN_JSC_useFTLJIT=0\`), ~5.5 MiB without DFG (\`BUN_JSC_useDFGJIT=0\`) and ~10 MiB with no JIT at all. The JS heap
  idle is ~7 MB (the 3,000 instances' apps, routes, targets and the cache of Cloud Controller results, and ~1.8 MB of
  zod schemas); the rest of RssAnon is the runtime's allocators and compiled code.
  Tried without gain: building without \`--bytecode\` (RssFile −1.5 MiB, RssAnon +2 MiB); fetching routes and
  processes one after the other instead of in parallel (peak −2–3 MiB, within noise, discovery one round trip
  slower); validating Cloud Controller resources with zod's \`jitless\` option; a second collection and shrink half
  a second after a refresh. JSC options that do help (\`BUN_JSC_forceRAMSize=134217728\`: peak −20 MiB; the JIT
  switches above) are environment variables only and cannot be baked into the binary with \`--compile-exec-argv\`
  (re-executing itself with them would cost the start-up a second process launch).

For scale: the Java Promregator's documentation asks for 700 MB–1 GB per instance.

Command: \`node_modules/.bin/bun bench/memory.ts ${TARGETS} ${INTERVALS}\` on ${machine()}.
`,
)
console.log(JSON.stringify(result))
process.exit(0)
