/**
 * @module main
 * Command-line entry of the binary: flags, configuration, serving with Bun, signals. The only
 * file that touches a runtime-specific API. It exports nothing on purpose: `bun build --compile`
 * would otherwise start a second server or switch the output format.
 *
 * Start-up is in two halves. This module is light (no YAML, zod or Hono): flags, `--version`,
 * `--help`, `--healthcheck`, choosing and reading the configuration. The heavy half, src/boot.ts,
 * is loaded with `import()` (a second entry point of the same binary, loaded only when imported). When
 * the port is known without the configuration (`$PORT`, as on Cloud Foundry and in the container
 * image), the socket opens first and answers the liveness probe `/-/healthy` while the rest boots;
 * every other request waits for the boot and is then served by the app. A configuration error
 * still prints one line per problem and exits 2 before anything but `/-/healthy` was answered.
 * `/-/ready` (readiness) is unaffected: 503 until the first discovery, as before.
 */
import type { Booted } from './boot.ts'
import { canListenEarly, DEFAULT_ADDRESS, healthcheck, parseArgs, USAGE, versionLine } from './cli.ts'
import { chooseConfigSource, type ConfigSource } from './config/source.ts'
import { redact } from './log.ts'
import { SecretRegistry } from './secrets.ts'

declare const BUILD_COMMIT: string | undefined

type Handler = (request: Request) => Response | Promise<Response>
interface BunServer {
  port: number
  stop(closeActiveConnections?: boolean): Promise<void>
  reload(options: { fetch: Handler }): void
}
interface BunRuntime {
  serve(options: { port: number; hostname: string; fetch: Handler; idleTimeout?: number }): BunServer
  gc(force: boolean): void
  /** Releases what the runtime keeps but does not need: freed malloc pages, compiled code (recompiled on demand). */
  shrink(): void
  /** gzip (RFC 1952) of a string's UTF-8 bytes or of bytes. */
  gzipSync(data: string | Uint8Array, options: { level: number }): Uint8Array
  /** Bun's own file reader: loading node:fs/promises would cost the start-up a few tenths of a millisecond. */
  file(path: string): { text(): Promise<string> }
}

/**
 * The heavy half, imported by a name the bundler does not follow: scripts/build.mjs compiles it as
 * the binary's second entry point, so the process loads only this small module before it listens
 * (about 1 ms sooner than with one bundle of everything; bench/startup.ts) and the rest on import.
 */
const BOOT_MODULE: string = './boot.ts'

const version = versionLine(`commit ${typeof BUILD_COMMIT === 'string' && BUILD_COMMIT ? BUILD_COMMIT : 'unknown'}`)

/** The configuration text when it can be had cheaply (an unreadable file is left for boot to report). */
async function configText(bun: BunRuntime, source: ConfigSource): Promise<string | undefined> {
  if (source.kind === 'text') return source.text
  return bun.file(source.path).text().catch(() => undefined)
}

/**
 * A server that answers the liveness probe itself and holds every other request until
 * {@link EarlyServer.serve} hands it the app (then the app answers everything, `/-/healthy` included).
 */
interface EarlyServer {
  server: BunServer
  serve(handler: Handler): void
}

function listenEarly(bun: BunRuntime, port: number): EarlyServer {
  let release!: (handler: Handler) => void
  const booted = new Promise<Handler>((resolve) => (release = resolve))
  const healthy = (request: Request) =>
    (request.method === 'GET' || request.method === 'HEAD') && new URL(request.url).pathname === '/-/healthy'
  const server = bun.serve({
    port,
    hostname: DEFAULT_ADDRESS,
    idleTimeout: 60,
    fetch: (request) =>
      healthy(request) ? new Response('OK\n', { headers: { 'content-type': 'text/plain; charset=UTF-8' } }) : booted.then((handler) => handler(request)),
  })
  return {
    server,
    serve(handler) {
      server.reload({ fetch: handler })
      release(handler)
    },
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  if (args.error) {
    process.stderr.write(`promregator: ${args.error}\n\n${USAGE}`)
    process.exit(2)
  }
  // console.log, not process.stdout.write: Bun sets up the Node stream on first use, ~5 ms of a ~10 ms run.
  if (args.help) return void console.log(USAGE.trimEnd())
  if (args.version) return void console.log(version)
  if (args.healthcheck) process.exit((await healthcheck(process.env.PORT ?? '8080')) ? 0 : 1)

  const source = chooseConfigSource(args.config, process.env)
  if (!source) {
    process.stderr.write(`promregator: no configuration: pass --config FILE, set PROMREGATOR_CONFIG_YAML or PROMREGATOR_CONFIG\n`)
    process.exit(2)
  }
  const bun = (globalThis as unknown as { Bun?: BunRuntime }).Bun
  if (!bun) {
    process.stderr.write('promregator: this entry point needs Bun (use the built binary or `bun src/main.ts`)\n')
    process.exit(1)
  }
  const text = await configText(bun, source)
  const readText = (path: string) => (text !== undefined && source.kind === 'file' && path === source.path ? Promise.resolve(text) : bun.file(path).text())
  if (args.checkConfig) {
    const { checkConfig } = (await import(BOOT_MODULE)) as typeof import('./boot.ts')
    const report = await checkConfig({ source, readText, env: process.env })
    for (const line of report.stderr) process.stderr.write(`${line}\n`)
    if (report.stdout) console.log(report.stdout)
    process.exit(report.code)
  }
  let early = canListenEarly(process.env, text) ? listenEarly(bun, Number(process.env.PORT)) : undefined

  if (early) await new Promise<void>((resolve) => setImmediate(resolve))
  const { boot, listeningFields, generatedPasswordNotice } = (await import(BOOT_MODULE)) as typeof import('./boot.ts')
  const booted: Booted = await boot({
    source,
    readText,
    env: process.env,
    fetch: globalThis.fetch,
    version,
    secrets,
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
    // setImmediate runs after the event loop has polled its sockets: a waiting probe is answered first.
    pause: early ? () => new Promise<void>((resolve) => setImmediate(resolve)) : undefined,
    compressor: fastZlib,
  })
  if (!booted.ok) {
    for (const problem of booted.problems) process.stderr.write(`promregator: ${problem}\n`)
    process.exit(2)
  }
  const { config, logger, assembled } = booted
  const { app, cache, auth, beginShutdown } = assembled
  // The runtime's own crash report would print the error unredacted: log it through the logger, then die as it would.
  const fatal = (what: string, error: unknown) => {
    logger.error(what, { error: error instanceof Error ? error.message : String(error) })
    process.exit(1)
  }
  process.on('uncaughtException', (error) => fatal('uncaught exception', error))
  process.on('unhandledRejection', (reason) => fatal('unhandled rejection', reason))

  if (early && config.server.address !== DEFAULT_ADDRESS) {
    // The text test of canListenEarly was fooled (e.g. an escaped key): bind where the configuration says.
    await early.server.stop(true)
    early = undefined
  }
  const port = process.env.PORT ? Number(process.env.PORT) : config.server.port
  const server = early?.server ?? bun.serve({ port, hostname: config.server.address, fetch: app.fetch, idleTimeout: 60 })
  early?.serve(app.fetch)
  logger.info('listening', listeningFields(booted, server.port, version))
  const notice = generatedPasswordNotice(auth)
  if (notice) process.stderr.write(`${notice}\n`)
  const stopRefreshing = cache.start()

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info('shutting down: no new connections, finishing requests in flight', { signal })
    beginShutdown()
    stopRefreshing()
    // Cloud Foundry kills the process 10 s after SIGTERM: finish in-flight requests within that.
    const forced = setTimeout(() => {
      logger.warn('requests still in flight after 9 s; exiting anyway')
      process.exit(1)
    }, 9000)
    await server.stop(false)
    clearTimeout(forced)
    logger.info('stopped')
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

/**
 * gzip/deflate for responses at level 1: a 19 MB `/metrics` body takes ~9 ms instead of ~70 ms with
 * `CompressionStream`'s default level, for output ~1.6× larger (still ~15× smaller than the body).
 * `Bun.gzipSync` reads the string as it is (no UTF-8 copy first); deflate (the zlib format, which
 * HTTP means by it) comes from node:zlib, loaded on the first deflate response, not at start.
 */
async function fastZlib(text: string, encoding: 'gzip' | 'deflate'): Promise<Uint8Array> {
  const bun = (globalThis as unknown as { Bun: BunRuntime }).Bun
  if (encoding === 'gzip') return bun.gzipSync(text, { level: 1 })
  const zlib = await import('node:zlib')
  return zlib.deflateSync(text, { level: 1 })
}

/** Secrets known so far (the configured ones from boot on), so even a fatal error message is redacted. */
const secrets = new SecretRegistry()

void main().catch((error: unknown) => {
  process.stderr.write(`promregator: ${redact((error as Error).message ?? String(error), secrets.all())}\n`)
  process.exit(1)
})
