/**
 * @module bench/hostile
 * The binary under hostile load, measured from outside over raw sockets:
 *   bun bench/hostile.ts
 * 1. slow clients: 200 connections trickle request headers (one header line every 5 s, never
 *    ending the request) for 75 s while normal `/singleTargetMetrics` scrapes go on at 50/s;
 *    reports the normal scrapes' p50/p99/max and failures, how many slow connections the server
 *    closed and when, and RSS before and after;
 * 2. oversized requests: headers of 20 KiB (one line) and 64 KiB (many lines), bodies announced
 *    at 1 GiB and sent at 8 MiB, a chunked body of 8 MiB; reports the status of each and the RSS rise;
 * 3. request smuggling: variants of conflicting or malformed framing (`Content-Length` and
 *    `Transfer-Encoding` together, duplicated or obfuscated) each hiding a second request for a
 *    real target; reports the statuses and whether the hidden request was served;
 * 4. 5,000 malformed `/singleTargetMetrics` paths: reports the statuses (goal: all 4xx) and the
 *    scrapes that reached a target (goal: 0, read from the binary's own `promregator_scrapes_total`).
 * The simulated foundation (50 apps × 2 instances) runs as its own process.
 */
import { connect } from 'node:net'
import { fmt, machine, percentile, rss, saveResult, sleep, startBenchSim, startBinary, waitFor200, writeSection } from './support.ts'
import { simulatorYaml } from '../test/support/sim-config.ts'

const SLOW_CLIENTS = 200
const SLOW_SECONDS = 75
const NORMAL_RATE_PER_S = 50
const MALFORMED_PATHS = 5000

const sim = await startBenchSim({ apps: 50, instances: 2, series: 50 })
const product = await startBinary(`${simulatorYaml(sim)}    maxProcessingTime: 2000
  discovery: { refreshInterval: 3600 }
  targets:
    - { orgName: org-0, spaceName: space-0, protocol: http }
`)
await waitFor200(`${product.base}/-/ready`)
const pid = product.child.pid!
const groups = (await (await fetch(`${product.base}/discovery`)).json()) as Array<{ labels: Record<string, string> }>
const paths = groups.map((g) => g.labels.__metrics_path__!).filter((p) => p.startsWith('/singleTargetMetrics/'))
const validPath = paths[0]!

/** Sum of `promregator_scrapes_total`: every scrape the binary sent towards a target. */
async function scrapesSoFar(): Promise<number> {
  const own = await (await fetch(`${product.base}/promregatorMetrics`)).text()
  return [...own.matchAll(/^promregator_scrapes_total\{[^}]*\} (\S+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0)
}

/** Writes `chunks` (with `gapMs` between) on a fresh connection; resolves with every status line read until the server closes or `waitMs` passes. */
function raw(chunks: Array<string | Uint8Array>, options: { gapMs?: number; waitMs?: number } = {}): Promise<{ statuses: number[]; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(product.port, '127.0.0.1')
    let received = ''
    let closedByServer = false
    const done = () => {
      socket.destroy()
      resolve({ statuses: [...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1])), closedByServer })
    }
    socket.on('data', (d) => (received += d.toString('latin1')))
    socket.on('error', () => undefined)
    socket.on('close', () => {
      closedByServer = true
      done()
    })
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) break
        socket.write(chunk)
        if (options.gapMs) await sleep(options.gapMs)
      }
      setTimeout(done, options.waitMs ?? 1000)
    })
  })
}

// 1. Slow clients trickling headers while normal scrapes continue.
async function slowClients() {
  const rssBefore = rss(pid).rssMiB
  const closedAt: number[] = []
  const started = Date.now()
  const sockets = Array.from({ length: SLOW_CLIENTS }, () => {
    const socket = connect(product.port, '127.0.0.1')
    socket.on('error', () => undefined)
    socket.on('close', () => closedAt.push((Date.now() - started) / 1000))
    socket.write(`GET ${validPath} HTTP/1.1\r\nHost: promregator\r\n`)
    return socket
  })
  const trickle = setInterval(() => {
    for (const s of sockets) if (!s.destroyed) s.write(`X-Slow-${Date.now() % 1000}: a\r\n`)
  }, 5_000)
  const latencies: number[] = []
  let failures = 0
  let sent = 0
  const pending: Promise<void>[] = []
  while (Date.now() - started < SLOW_SECONDS * 1000) {
    const due = Math.floor(((Date.now() - started) / 1000) * NORMAL_RATE_PER_S)
    for (; sent < due; sent++) {
      const path = paths[sent % paths.length]!
      const t0 = performance.now()
      pending.push(
        fetch(`${product.base}${path}`)
          .then(async (r) => {
            const body = await r.text()
            latencies.push(performance.now() - t0)
            if (r.status !== 200 || !/^promregator_up 1$/m.test(body)) failures++
          })
          .catch(() => void failures++),
      )
    }
    await sleep(5)
  }
  clearInterval(trickle)
  await Promise.all(pending)
  const rssDuring = rss(pid).rssMiB
  const open = sockets.filter((s) => !s.destroyed).length
  for (const s of sockets) s.destroy()
  return { latencies, failures, open, closedAt, rssBefore, rssDuring }
}

// 2. Oversized headers and bodies.
async function oversized() {
  const rssBefore = rss(pid).rssMiB
  const oneLine = `GET ${validPath} HTTP/1.1\r\nHost: p\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`
  const manyLines = `GET ${validPath} HTTP/1.1\r\nHost: p\r\n${Array.from({ length: 640 }, (_, i) => `X-H${i}: ${'b'.repeat(90)}\r\n`).join('')}\r\n`
  const megabyte = new Uint8Array(1024 * 1024).fill(97)
  const announcedBody = [`POST /metrics HTTP/1.1\r\nHost: p\r\nContent-Length: ${1024 ** 3}\r\n\r\n`, ...Array.from({ length: 8 }, () => megabyte)]
  const chunkedBody = [
    `POST ${validPath} HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: chunked\r\n\r\n`,
    ...Array.from({ length: 8 }, () => Buffer.concat([Buffer.from(`${(1024 * 1024).toString(16)}\r\n`), megabyte, Buffer.from('\r\n')])),
    '0\r\n\r\n',
  ]
  const cases = {
    'one 20 KiB header': await raw([oneLine]),
    '64 KiB of headers (640 lines)': await raw([manyLines]),
    'body announced at 1 GiB, 8 MiB sent': await raw(announcedBody, { waitMs: 2000 }),
    'chunked body of 8 MiB': await raw(chunkedBody, { waitMs: 2000 }),
  }
  return { cases, rssRiseMiB: rss(pid).peakMiB - rssBefore }
}

// 3. Request smuggling: each variant hides a request for a real target behind ambiguous framing.
async function smuggling() {
  const hidden = `GET ${validPath} HTTP/1.1\r\nHost: p\r\n\r\n`
  const body = `0\r\n\r\n${hidden}`
  const variants: Record<string, string> = {
    'CL and TE: chunked': `POST /-/healthy HTTP/1.1\r\nHost: p\r\nContent-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n\r\n${body}`,
    'TE: chunked and CL': `POST /-/healthy HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n${body}`,
    'two different CL': `POST /-/healthy HTTP/1.1\r\nHost: p\r\nContent-Length: 0\r\nContent-Length: ${hidden.length}\r\n\r\n${hidden}`,
    'CL with a sign': `POST /-/healthy HTTP/1.1\r\nHost: p\r\nContent-Length: +${hidden.length}\r\n\r\n${hidden}`,
    'CL in hex': `POST /-/healthy HTTP/1.1\r\nHost: p\r\nContent-Length: 0x${hidden.length.toString(16)}\r\n\r\n${hidden}`,
    'TE: xchunked with CL': `POST /-/healthy HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: xchunked\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    'TE: chunked, identity': `POST /-/healthy HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: chunked, identity\r\n\r\n${body}`,
    'TE with a space before the colon': `POST /-/healthy HTTP/1.1\r\nHost: p\r\nTransfer-Encoding : chunked\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    'TE folded onto a second line': `POST /-/healthy HTTP/1.1\r\nHost: p\r\nTransfer-Encoding:\r\n chunked\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    'TE in HTTP/1.0': `POST /-/healthy HTTP/1.0\r\nHost: p\r\nTransfer-Encoding: chunked\r\n\r\n${body}`,
    'chunk size with garbage': `POST /-/healthy HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: chunked\r\n\r\n0x0\r\n\r\n${hidden}`,
    'bare LF line ends': `POST /-/healthy HTTP/1.1\nHost: p\nContent-Length: ${body.length}\nTransfer-Encoding: chunked\n\n${body}`,
  }
  const results: Record<string, { statuses: number[]; hiddenServed: boolean }> = {}
  for (const [name, request] of Object.entries(variants)) {
    const before = await scrapesSoFar()
    const { statuses } = await raw([request], { waitMs: 1500 })
    results[name] = { statuses, hiddenServed: (await scrapesSoFar()) > before }
  }
  return results
}

// 4. Malformed /singleTargetMetrics paths.
async function malformedPaths() {
  const [, , guid = '', index = '0'] = validPath.split('/')
  const shapes = [
    (i: number) => `/singleTargetMetrics/${guid}/${index}${'/..'.repeat(1 + (i % 5))}/etc/passwd`,
    (i: number) => `/singleTargetMetrics/${guid.replace(/./, 'f')}/${i % 100}`,
    (i: number) => `/singleTargetMetrics/${guid}/${-1 - (i % 10)}`,
    (i: number) => `/singleTargetMetrics/${guid}/${1000 + i}`,
    (i: number) => `/singleTargetMetrics/${guid}/${index}%00${i}`,
    (i: number) => `/singleTargetMetrics/${guid}%2F..%2F${i}/${index}`,
    (i: number) => `/singleTargetMetrics/http:%2F%2Fevil.example%2F${i}/${index}`,
    (i: number) => `/singleTargetMetrics/${guid.toUpperCase()}/${index}?x=${i}`,
    (i: number) => `/singleTargetMetrics/${guid}/${index}/extra/${i}`,
    (i: number) => `/singleTargetMetrics/${'a'.repeat(100 + (i % 4000))}/${index}`,
    (i: number) => `/singleTargetMetrics/${guid}/0x${index}${i}`,
    (i: number) => `/singleTargetMetrics//${guid}/${index}/${i}`,
    (i: number) => `/singleTargetMetrics/${guid}/${index}%20${i}`,
    (i: number) => `/singleTargetMetrics/%E2%80%AE${i}/${index}`,
    (i: number) => `/singleTargetMetrics/${guid}:${index}/${i}`,
    (i: number) => `/singleTargetMetrics/${encodeURIComponent(`${guid}/${index}`)}/${i}`,
  ]
  const before = await scrapesSoFar()
  const statuses = new Map<number, number>()
  for (let i = 0; i < MALFORMED_PATHS; i += 50) {
    const batch = Array.from({ length: 50 }, (_, j) => shapes[(i + j) % shapes.length]!(i + j))
    const answers = await Promise.all(batch.map((p) => fetch(`${product.base}${p}`).then(async (r) => (await r.arrayBuffer(), r.status))))
    for (const status of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1)
  }
  return { statuses: Object.fromEntries(statuses), reachedTargets: (await scrapesSoFar()) - before }
}

const slow = await slowClients()
const big = await oversized()
const smuggled = await smuggling()
const malformed = await malformedPaths()
product.child.kill('SIGTERM')
sim.child.kill('SIGTERM')

const p99 = percentile(slow.latencies, 99)
const all4xx = Object.keys(malformed.statuses).every((s) => Number(s) >= 400 && Number(s) < 500)
const servedHidden = Object.entries(smuggled).filter(([, r]) => r.hiddenServed).map(([name]) => name)
const result = { slow: { ...slow, latencies: undefined, p50Ms: percentile(slow.latencies, 50), p99Ms: p99, maxMs: Math.max(...slow.latencies), normalRequests: slow.latencies.length }, big, smuggled, malformed }
saveResult('hostile', result)
console.log(JSON.stringify(result, null, 2))

const closed = slow.closedAt.filter((t) => t <= SLOW_SECONDS)
writeSection(
  'hostile',
  'Hostile load',
  `Generated by \`node_modules/.bin/bun bench/hostile.ts\` on ${new Date().toISOString().slice(0, 10)} (${machine()}): the binary against a simulated
foundation of 50 apps × 2 instances, requests written on raw sockets from this process.

| figure | measured | goal | |
|---|---|---|---|
| normal scrapes (${NORMAL_RATE_PER_S}/s, ${slow.latencies.length} in ${SLOW_SECONDS} s) while ${SLOW_CLIENTS} clients trickle headers: p50 / p99 / max | ${fmt(percentile(slow.latencies, 50), 2)} / ${fmt(p99, 2)} / ${fmt(Math.max(...slow.latencies), 1)} ms, ${slow.failures} failed | p99 < 1 s, 0 failed | ${p99 < 1000 && slow.failures === 0 ? 'met' : '**not met**'} |
| malformed \`/singleTargetMetrics\` paths (${MALFORMED_PATHS}): answers | ${Object.entries(malformed.statuses).map(([s, n]) => `${n} × ${s}`).join(', ')} | all 4xx | ${all4xx ? 'met' : '**not met**'} |
| scrapes those paths caused | ${malformed.reachedTargets} | 0 | ${malformed.reachedTargets === 0 ? 'met' : '**not met**'} |
| smuggling variants whose hidden request was served | ${servedHidden.length} of ${Object.keys(smuggled).length}${servedHidden.length ? ` (${servedHidden.join('; ')})` : ''} | 0 | ${servedHidden.length === 0 ? 'met' : '**not met**'} |

Slow clients: RSS ${fmt(slow.rssBefore)} MiB before, ${fmt(slow.rssDuring)} MiB with them connected. Although each kept sending a header
line every 5 s, the server closed ${SLOW_CLIENTS - slow.open} of the ${SLOW_CLIENTS}${closed.length ? ` between ${fmt(Math.min(...closed))} s and ${fmt(Math.max(...closed))} s` : ''}: Bun's server gives a request's
headers about 10 s to arrive whole, whatever trickles in meanwhile. Until then a slow client holds a socket and its
buffered header lines (bounded by the header limit below), no thread and no scrape slot.

Oversized requests (status lines read before the server closed the connection; RSS peak rise ${fmt(big.rssRiseMiB)} MiB):

| request | answers | connection closed by the server |
|---|---|---|
${Object.entries(big.cases).map(([name, r]) => `| ${name} | ${r.statuses.join(', ') || 'none'} | ${r.closedByServer ? 'yes' : 'no'} |`).join('\n')}

Smuggling variants (answers on the connection; "hidden served" means the request behind the framing reached a target):

| variant | answers | hidden served |
|---|---|---|
${Object.entries(smuggled).map(([name, r]) => `| ${name} | ${r.statuses.join(', ') || 'none'} | ${r.hiddenServed ? '**yes**' : 'no'} |`).join('\n')}

Limits of the server (src/main.ts): request headers at most 16 KiB (Bun's default; larger get 431), request bodies at most
64 KiB (\`maxRequestBodySize\`; no endpoint reads a body), connections idle for 60 s closed (\`idleTimeout\`). The number of
connections is not capped by the product: on Cloud Foundry the gorouter stands in front of it.`,
)
process.exit(0)
