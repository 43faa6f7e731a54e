/**
 * @module bench/soak
 * Endurance: the binary under a steady load for a while, with everything that happens over hours
 * happening within it — discovery refreshes every 30 s, access tokens that expire every 60 s, and
 * four targets that fail each in its own way (too slow, crashed, not metrics, refused credentials).
 *   bun bench/soak.ts [MINUTES]   (default 30)
 * Load, from this process: `/singleTargetMetrics` at ~200 requests/s round-robin over every target
 * (open loop: a request is sent every 5 ms whether the previous one ended or not), `/discovery`
 * every 5 s, `/metrics` and `/promregatorMetrics` every 15 s. The simulated foundation (500 apps ×
 * 2 instances, bench/sim-server.ts) runs as its own process.
 * Reports: RSS every 10 s and its growth from minute 3 to the end, answers by endpoint and status,
 * failed scrapes of healthy targets, p50/p99/max latency per endpoint, token requests.
 */
import { fmt, machine, percentile, rss, saveResult, sleep, startBenchSim, startBinary, waitFor200, writeSection } from './support.ts'

const MINUTES = Number(process.argv[2] ?? 30)
const APPS = 500
const INSTANCES = 2
const RATE_PER_S = 200
const GOALS = { rssGrowthPercent: 10, p99Ms: 50 }

process.env.SIM_FAULTY = '1'
process.env.SIM_TOKEN_LIFETIME = '60'
const sim = await startBenchSim({ apps: APPS, instances: INSTANCES, series: 100 })
const product = await startBinary(`${(await import('../test/support/sim-config.ts')).simulatorYaml(sim)}    maxProcessingTime: 2000
  discovery: { refreshInterval: 30 }
  targets:
    - { orgName: org-0, spaceName: space-0, protocol: http }
`)
await waitFor200(`${product.base}/-/ready`)

/** Every target, from `/discovery`: path, and whether it is one of the faulty apps. */
const groups = (await (await fetch(`${product.base}/discovery`)).json()) as Array<{ labels: Record<string, string> }>
const targets = groups
  .filter((g) => g.labels.__metrics_path__?.startsWith('/singleTargetMetrics/'))
  .map((g) => ({ path: g.labels.__metrics_path__!, faulty: g.labels.__meta_promregator_target_applicationName?.startsWith('faulty-') ?? false }))

type Endpoint = 'single' | 'single-faulty' | 'discovery' | 'metrics' | 'own'
const latencies: Record<Endpoint, number[]> = { single: [], 'single-faulty': [], discovery: [], metrics: [], own: [] }
const answers = new Map<string, number>()
let healthyScrapeFailures = 0
const count = (key: string) => answers.set(key, (answers.get(key) ?? 0) + 1)

async function timed(endpoint: Endpoint, path: string, check?: (body: string) => void): Promise<void> {
  const started = performance.now()
  try {
    const response = await fetch(`${product.base}${path}`, { headers: { accept: 'text/plain;version=0.0.4' } })
    const body = await response.text()
    latencies[endpoint].push(performance.now() - started)
    count(`${endpoint} ${response.status}`)
    check?.(body)
  } catch (error) {
    count(`${endpoint} ${(error as Error).name}`)
  }
}

const samples: Array<{ minute: number; rssMiB: number }> = []
const started = Date.now()
const endAt = started + MINUTES * 60_000
const timers = [
  setInterval(() => samples.push({ minute: (Date.now() - started) / 60_000, rssMiB: rss(product.child.pid!).rssMiB }), 10_000),
  setInterval(() => void timed('discovery', '/discovery'), 5_000),
  setInterval(() => {
    void timed('metrics', '/metrics')
    void timed('own', '/promregatorMetrics')
  }, 15_000),
]
samples.push({ minute: 0, rssMiB: rss(product.child.pid!).rssMiB })

// Open loop at RATE_PER_S: each tick sends what is due since the start, so a slow answer delays nothing.
let sent = 0
while (Date.now() < endAt) {
  const due = Math.floor(((Date.now() - started) / 1000) * RATE_PER_S)
  for (; sent < due; sent++) {
    const target = targets[sent % targets.length]!
    void timed(target.faulty ? 'single-faulty' : 'single', target.path, (body) => {
      if (!target.faulty && !/^promregator_up 1$/m.test(body)) healthyScrapeFailures++
    })
  }
  await sleep(5)
}
for (const timer of timers) clearInterval(timer)
await sleep(3_000) // answers in flight (the slow target's end at maxProcessingTime)

const own = await (await fetch(`${product.base}/promregatorMetrics`)).text()
const tokenRequests = [...own.matchAll(/^promregator_cf_token_requests_total\{([^}]*)\} (\S+)$/gm)].map((m) => `${m[1]}: ${m[2]}`)
const refreshes = [...own.matchAll(/^promregator_discovery_refreshes_total\{([^}]*)\} (\S+)$/gm)].map((m) => `${m[1]}: ${m[2]}`)
product.child.kill('SIGTERM')
sim.child.kill('SIGTERM')

const fromMinute3 = samples.filter((s) => s.minute >= 3)
const base = fromMinute3[0]?.rssMiB ?? NaN
const last = samples[samples.length - 1]!.rssMiB
const growth = ((last - base) / base) * 100
const rows = (Object.keys(latencies) as Endpoint[]).map((e) => {
  const l = latencies[e]
  return `| ${e} | ${l.length} | ${fmt(percentile(l, 50), 2)} | ${fmt(percentile(l, 99), 2)} | ${fmt(percentile(l, 99.9), 2)} | ${fmt(Math.max(...l), 1)} |`
})
const p99 = percentile(latencies.single, 99)
const result = { minutes: MINUTES, targets: targets.length, rssStartMiB: base, rssEndMiB: last, growthPercent: growth, p99Ms: p99, healthyScrapeFailures, answers: Object.fromEntries(answers), tokenRequests, refreshes }
saveResult('soak', result)
console.log(JSON.stringify(result, null, 2))

writeSection(
  'soak',
  'Soak',
  `Generated by \`node_modules/.bin/bun bench/soak.ts ${MINUTES}\` on ${new Date().toISOString().slice(0, 10)} (${machine()}): **${MINUTES} minutes**.
The binary against a simulated foundation of ${APPS} apps × ${INSTANCES} instances plus four failing targets (too slow, crashed, not metrics, wrong credentials);
discovery refreshes every 30 s, access tokens live 60 s. Load: \`/singleTargetMetrics\` ${RATE_PER_S}/s round-robin over all ${targets.length} targets (open loop),
\`/discovery\` every 5 s, \`/metrics\` and \`/promregatorMetrics\` every 15 s; load generator, simulator and binary share the machine.

| figure | measured | goal | |
|---|---|---|---|
| RSS growth, minute 3 → end | ${fmt(base)} → ${fmt(last)} MiB (${fmt(growth)} %) | < ${GOALS.rssGrowthPercent} % | ${growth < GOALS.rssGrowthPercent ? 'met' : '**not met**'} |
| failed scrapes of healthy targets | ${healthyScrapeFailures} | 0 | ${healthyScrapeFailures === 0 ? 'met' : '**not met**'} |
| p99 of \`/singleTargetMetrics\` (healthy targets) | ${fmt(p99, 2)} ms | < ${GOALS.p99Ms} ms | ${p99 < GOALS.p99Ms ? 'met' : '**not met**'} |

| endpoint | answers | p50 ms | p99 ms | p99.9 ms | max ms |
|---|---:|---:|---:|---:|---:|
${rows.join('\n')}

Answers by endpoint and status: ${[...answers].map(([k, v]) => `${k}: ${v}`).join(', ')}.
Token requests (\`promregator_cf_token_requests_total\`): ${tokenRequests.join('; ') || 'none'}. Discovery runs: ${refreshes.join('; ')}.
A token is asked for only when the Cloud Controller is, i.e. when a resource class is older than its \`cf.cache.timeout.*\` (apps, routes, processes: 300 s), so a 60 s token is renewed by its refresh token about once per five minutes, not once per minute.
RSS (MiB) every 10 s: ${samples.map((s) => fmt(s.rssMiB, 0)).join(' ')}.`,
)
process.exit(0)
