/**
 * @module bench/sim-server
 * The simulated foundation for the benchmarks, as its own process so that it does not share a
 * CPU core's event loop with the load generator:
 *   bun bench/sim-server.ts APPS INSTANCES SERIES [DELAY_MS]
 * Serves APPS apps × INSTANCES instances in one org and one space; every instance answers text
 * 0.0.4 with SERIES samples shaped like a typical app (request counters, gauges, a latency
 * histogram). Prints one JSON line (URLs, credentials, `[guid, instances, route]` per app) once listening.
 * Environment: `SIM_SPACES` spreads the apps over that many spaces, ten to an org (default: one
 * space); `SIM_TOKEN_LIFETIME` (seconds) shortens the access tokens; `SIM_FAULTY=1` adds one
 * app for each way a target fails (listed last): too slow, crashed (the router's unknown_route),
 * a body that is not metrics, and Basic auth the product does not send.
 */
import { bigLandscape, startSimulator, type MetricsBodyContext } from '../test/support/simulator/index.ts'

const [apps = 1, instances = 1, series = 100, delayMs = 0] = process.argv.slice(2).map(Number)

/** A body of exactly `series` samples; values derive from the instance so bodies differ. */
function benchBody(ctx: MetricsBodyContext): string {
  const lines: string[] = []
  let left = series
  const seed = ctx.index * 7919 + ctx.appGuid.charCodeAt(ctx.appGuid.length - 1)
  const les = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '+Inf']
  // One latency histogram (13 samples) ...
  if (left >= 13) {
    lines.push('# HELP http_server_requests_seconds Duration of HTTP server requests.', '# TYPE http_server_requests_seconds histogram')
    les.forEach((le, i) => lines.push(`http_server_requests_seconds_bucket{uri="/api/orders",le="${le}"} ${(seed % 100) * (i + 1)}`))
    lines.push(`http_server_requests_seconds_sum{uri="/api/orders"} ${(seed % 1000) / 7}`, `http_server_requests_seconds_count{uri="/api/orders"} ${(seed % 100) * 11}`)
    left -= 13
  }
  // ... then families of up to 8 series, alternating counters and gauges.
  for (let family = 0; left > 0; family++) {
    const counter = family % 2 === 0
    const name = counter ? `app_operations_${family}_total` : `app_pool_${family}_size`
    lines.push(`# HELP ${name} ${counter ? 'Operations done' : 'Current size of a pool'}, kind ${family}.`, `# TYPE ${name} ${counter ? 'counter' : 'gauge'}`)
    for (let s = 0; s < 8 && left > 0; s++, left--) {
      lines.push(`${name}{method="${['GET', 'POST', 'PUT', 'DELETE'][s % 4]}",status="${s < 4 ? 200 : 500}"} ${(seed * (family + 3) + s * 17) % 100000}`)
    }
  }
  return `${lines.join('\n')}\n`
}

// SIM_SPACES spreads the apps over that many spaces (10 per org); default one space in one org.
const spaceCount = Number(process.env.SIM_SPACES ?? '1') || 1
const landscape = bigLandscape({ apps, instancesPerApp: instances, spaces: spaceCount, ...(spaceCount === 1 ? { orgs: 1 } : {}) })
for (const org of landscape.orgs) for (const space of org.spaces) for (const app of space.apps) Object.assign(app, { format: 'text', body: benchBody, delayMs })

if (process.env.SIM_FAULTY === '1') {
  const space = landscape.orgs[0]!.spaces[0]!
  space.apps.push(
    { name: 'faulty-slow', instances: 1, routes: [{ host: 'faulty-slow' }], delayMs: 60_000 },
    { name: 'faulty-crashed', instances: 1, instanceStates: ['CRASHED'], routes: [{ host: 'faulty-crashed' }] },
    { name: 'faulty-garbage', instances: 1, routes: [{ host: 'faulty-garbage' }], format: 'text', body: () => 'this is { not metrics\n' },
    { name: 'faulty-auth', instances: 1, routes: [{ host: 'faulty-auth' }], basicAuth: { username: 'u', password: 'not-sent' } },
  )
}
const tokenLifetime = Number(process.env.SIM_TOKEN_LIFETIME ?? '')
const sim = await startSimulator(landscape, { logLimit: 100, ...(tokenLifetime > 0 ? { tokenLifetimeSeconds: tokenLifetime } : {}) })
process.stdout.write(
  `${JSON.stringify({
    apiUrl: sim.apiUrl,
    proxyUrl: sim.proxyUrl,
    ...sim.credentials,
    apps: sim.apps().map((a) => [a.guid, a.instances, a.routes[0]?.url ?? '']),
  })}\n`,
)
const close = () => void sim.close().finally(() => process.exit(0))
process.on('SIGTERM', close)
process.on('SIGINT', close)
