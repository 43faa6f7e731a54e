/**
 * @module main
 * The Bun entry of the binary: a thin adapter that gives src/lifecycle.ts Bun's server, file
 * reading, garbage collection and gzip. It exports nothing on purpose: `bun build --compile` would
 * otherwise start a second server or switch the output format. Bun is the runtime that can listen
 * before the boot: its server swaps handlers in place (`reload`), so `/-/healthy` is answered
 * within milliseconds of exec while the configuration is still being loaded.
 */
import { DEFAULT_ADDRESS, versionLine } from './cli.ts'
import { processSecrets, run, type EarlyServer, type Handler, type RuntimeServer } from './lifecycle.ts'
import { redact } from './log.ts'

declare const BUILD_COMMIT: string | undefined

interface BunServer {
  port: number
  stop(closeActiveConnections?: boolean): Promise<void>
  reload(options: { fetch: Handler }): void
}
interface BunRuntime {
  serve(options: { port: number; hostname: string; fetch: Handler; idleTimeout?: number; maxRequestBodySize?: number }): BunServer
  gc(force: boolean): void
  /** Releases what the runtime keeps but does not need: freed malloc pages, compiled code (recompiled on demand). */
  shrink(): void
  /** gzip (RFC 1952) of a string's UTF-8 bytes or of bytes. */
  gzipSync(data: string | Uint8Array, options: { level: number }): Uint8Array
  /** Bun's own file reader: loading node:fs/promises would cost the start-up a few tenths of a millisecond. */
  file(path: string): { text(): Promise<string> }
}

/** Idle keep-alive connections are closed after this many seconds. */
const IDLE_TIMEOUT_S = 60
/**
 * No endpoint reads a request body, so a body above this is refused (413) before it is buffered;
 * Bun's default would take 128 MiB. Request headers stay at Bun's limit of 16 KiB (431 above it).
 * bench/hostile.ts measures both.
 */
const MAX_REQUEST_BODY_BYTES = 64 * 1024
const LIMITS = { idleTimeout: IDLE_TIMEOUT_S, maxRequestBodySize: MAX_REQUEST_BODY_BYTES }

function asRuntimeServer(server: BunServer): RuntimeServer {
  return { port: server.port, stop: (graceful) => server.stop(!graceful) }
}

/** A server that answers the liveness probe itself and holds every other request until handed the app. */
function listenEarly(bun: BunRuntime, port: number): EarlyServer {
  let release!: (handler: Handler) => void
  const booted = new Promise<Handler>((resolve) => (release = resolve))
  const healthy = (request: Request) =>
    (request.method === 'GET' || request.method === 'HEAD') && new URL(request.url).pathname === '/-/healthy'
  const server = bun.serve({
    port,
    hostname: DEFAULT_ADDRESS,
    ...LIMITS,
    fetch: (request) =>
      healthy(request) ? new Response('OK\n', { headers: { 'content-type': 'text/plain; charset=UTF-8' } }) : booted.then((handler) => handler(request)),
  })
  return {
    server: asRuntimeServer(server),
    handOver(handler) {
      server.reload({ fetch: handler })
      release(handler)
    },
  }
}

/**
 * gzip/deflate for responses at level 1: a 19 MB `/metrics` body takes ~9 ms instead of ~70 ms with
 * `CompressionStream`'s default level, for output ~1.6× larger (still ~15× smaller than the body).
 * `Bun.gzipSync` reads the string as it is (no UTF-8 copy first); deflate (the zlib format, which
 * HTTP means by it) comes from node:zlib, loaded on the first deflate response, not at start.
 */
async function fastZlib(bun: BunRuntime, text: string, encoding: 'gzip' | 'deflate'): Promise<Uint8Array> {
  if (encoding === 'gzip') return bun.gzipSync(text, { level: 1 })
  const zlib = await import('node:zlib')
  return zlib.deflateSync(text, { level: 1 })
}

const bun = (globalThis as unknown as { Bun?: BunRuntime }).Bun
if (!bun) {
  process.stderr.write('promregator: this entry point needs Bun (use the built binary or `bun src/main.ts`)\n')
  process.exit(1)
}

void run({
  argv: process.argv.slice(2),
  env: process.env,
  version: versionLine(`commit ${typeof BUILD_COMMIT === 'string' && BUILD_COMMIT ? BUILD_COMMIT : 'unknown'}`),
  readText: (path) => bun.file(path).text(),
  // console.log, not process.stdout.write: Bun sets up the Node stream on first use, ~5 ms of a ~10 ms run.
  print: (line) => console.log(line),
  printError: (line) => process.stderr.write(`${line}\n`),
  exit: (code) => process.exit(code),
  onSignal: (signal, handler) => void process.on(signal, handler),
  onFatal(handler) {
    process.on('uncaughtException', (error) => handler('uncaught exception', error))
    process.on('unhandledRejection', (reason) => handler('unhandled rejection', reason))
  },
  serve: async ({ port, hostname, fetch }) => asRuntimeServer(bun.serve({ port, hostname, fetch, ...LIMITS })),
  listenEarly: (port) => listenEarly(bun, port),
  // setImmediate runs after the event loop has polled its sockets: a waiting probe is answered first.
  pause: () => new Promise<void>((resolve) => setImmediate(resolve)),
  boot: {
    fetch: globalThis.fetch,
    // Discovery replaces its whole picture (thousands of apps, routes and targets) every few minutes;
    // a full collection right after gives the old one's memory back instead of letting the heap grow
    // to the next scheduled collection. It takes a few milliseconds, once per refresh. `shrink()`
    // then hands the freed pages back to the system: idle RSS with 3,000 instances 75 → 67 MiB.
    onRefresh: () => {
      bun.gc(true)
      bun.shrink()
    },
    // Pages of up to 5,000 resources are megabytes of JSON: collect as each becomes garbage, so the
    // peak while discovering thousands of apps is one page's worth, not all of them (bench/memory.ts).
    // The same once each `/metrics` answer is sent: 1,000 instances leave ~80 MB behind, and without
    // it RSS climbed to ~300 MiB over a few answers instead of peaking at ~145 (bench/aggregate.ts).
    collectGarbage: () => bun.gc(true),
    compressor: (text, encoding) => fastZlib(bun, text, encoding),
    // Bun's fetch inflates ahead of the reader: a gzip bomb would cost hundreds of MiB before the
    // size limit could act. Scraped bodies are inflated by the scraper instead, within the limit.
    bodiesAsSent: true,
  },
}).catch((error: unknown) => {
  process.stderr.write(`promregator: ${redact((error as Error).message ?? String(error), processSecrets.forms())}\n`)
  process.exit(1)
})
