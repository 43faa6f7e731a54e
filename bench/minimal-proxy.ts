/**
 * @module bench/minimal-proxy
 * The floor for `/singleTargetMetrics` on this runtime: a Bun server whose handler makes the one
 * outbound fetch through the gorouter (Bun's `proxy` option, X-CF-APP-INSTANCE from the path),
 * reads the body as text and answers it with one line appended; no routing, bounds, metrics or
 * parsing. Compiled exactly as the product (`node scripts/build.mjs OUT bench/minimal-proxy.ts`);
 * takes the gorouter from the same PROMREGATOR_CONFIG_YAML and announces its port the same way.
 */
// No `declare const Bun` and no exports: this file shares the global scope with minimal-server.ts in tsc, and stays a plain entry.
const runtime = (globalThis as unknown as { Bun: { serve(options: { port: number; hostname: string; fetch: (request: Request) => Promise<Response> }): { port: number } } }).Bun

const proxyMatch = /proxy: \{ host: ([^,\s}]+), port: (\d+) \}/.exec(process.env.PROMREGATOR_CONFIG_YAML ?? '')
if (!proxyMatch) throw new Error('PROMREGATOR_CONFIG_YAML names no scraping proxy')
const proxyUrl = `http://${proxyMatch[1]}:${proxyMatch[2]}`
/** The bench simulator's first route (nginx in bench/single-target.ts uses the same); the header picks the instance. */
const route = 'http://app-0.apps.sim.localhost/metrics'

const floorServer = runtime.serve({
  port: Number(process.env.PORT ?? 8080),
  hostname: '127.0.0.1',
  async fetch(request) {
    const match = /^\/singleTargetMetrics\/([-0-9a-f]+)\/(\d+)$/.exec(new URL(request.url).pathname)
    if (!match) return new Response('OK\n')
    const response = await fetch(route, { proxy: proxyUrl, headers: { 'x-cf-app-instance': `${match[1]}:${match[2]}` } } as RequestInit)
    const body = await response.text()
    return new Response(`${body}promregator_up 1\n`, { status: response.status, headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' } })
  },
})
console.error(`msg=listening port=${floorServer.port}`)
