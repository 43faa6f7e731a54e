/**
 * @module lifecycle
 * The life of the process, the same on every runtime: flags, where the configuration comes from,
 * `--check-config`, the boot, listening, the generated-password notice, discovery, shutdown on
 * SIGTERM/SIGINT. The runtime entries (src/main.ts for Bun, src/main-deno.ts for Deno) are thin
 * adapters that give it a {@link Runtime}, as Hono's `adapter/*` do for its apps.
 *
 * Start-up is in two halves. This module is light (no YAML, zod or Hono): flags, `--version`,
 * `--help`, `--healthcheck`, choosing and reading the configuration. The heavy half, src/boot.ts,
 * is loaded with `import()` by a name the bundler does not follow (scripts/build.mjs compiles it
 * as the binary's second entry point), so the process loads only the small half before it listens.
 * When the runtime can listen before the boot ({@link Runtime.listenEarly}: Bun) and the port is
 * known without the configuration (`$PORT`, as on Cloud Foundry and in the container image), the
 * socket opens first and answers the liveness probe `/-/healthy` while the rest boots; a
 * configuration error still prints one line per problem and exits 2.
 */
import type { Booted, BootOptions } from './boot.ts'
import { canListenEarly, DEFAULT_ADDRESS, healthcheck, parseArgs, USAGE } from './cli.ts'
import { chooseConfigSource } from './config/source.ts'
import { SecretRegistry } from './secrets.ts'

/** An HTTP handler, Web-standard. */
export type Handler = (request: Request) => Response | Promise<Response>

/** A listening server as the lifecycle needs it. */
export interface RuntimeServer {
  /** The port actually bound. */
  readonly port: number
  /** Stops listening; `graceful`: finish the requests in flight first. */
  stop(graceful: boolean): Promise<void>
}

/** A server opened before the boot: it answers `/-/healthy` itself and holds every other request until handed the app. */
export interface EarlyServer {
  server: RuntimeServer
  handOver(handler: Handler): void
}

/** What a runtime entry gives the lifecycle. */
export interface Runtime {
  argv: string[]
  env: Record<string, string | undefined>
  /** The version line (`promregator 0.1.0 (commit …)`). */
  version: string
  readText(path: string): Promise<string>
  /** One line to standard output / standard error. */
  print(line: string): void
  printError(line: string): void
  exit(code: number): never
  onSignal(signal: 'SIGTERM' | 'SIGINT', handler: () => void): void
  /** Called for uncaught exceptions and unhandled rejections (the lifecycle logs them redacted and exits 1). */
  onFatal(handler: (what: string, error: unknown) => void): void
  serve(options: { port: number; hostname: string; fetch: Handler }): Promise<RuntimeServer>
  listenEarly?(port: number): EarlyServer
  /** Lets a waiting probe be answered between two stages of the boot (with an early server). */
  pause?(): Promise<void>
  /** The rest of what the boot takes from the runtime (fetch, garbage collection, compressor). */
  boot: Pick<BootOptions, 'fetch' | 'onRefresh' | 'collectGarbage' | 'compressor' | 'bodiesAsSent'>
}

/**
 * The heavy half, imported by a name the bundler does not follow: scripts/build.mjs compiles it as
 * the binary's second entry point, so the process loads only this small module before it listens
 * (about 1 ms sooner than with one bundle of everything; bench/startup.ts).
 */
const BOOT_MODULE: string = './boot.ts'
const loadBoot = () => import(BOOT_MODULE) as Promise<typeof import('./boot.ts')>

/** Secrets known so far (the configured ones from boot on), so even a fatal error message is redacted. */
export const processSecrets = new SecretRegistry()

/** Cloud Foundry kills the process 10 s after SIGTERM: requests in flight get 9 s. */
const SHUTDOWN_GRACE_MS = 9000

/** Runs the process until it exits. */
export async function run(runtime: Runtime): Promise<void> {
  const args = parseArgs(runtime.argv)
  if (args.error) {
    runtime.printError(`promregator: ${args.error}\n\n${USAGE.trimEnd()}`)
    return runtime.exit(2)
  }
  if (args.help) return runtime.print(USAGE.trimEnd())
  if (args.version) return runtime.print(runtime.version)
  if (args.healthcheck) return runtime.exit((await healthcheck(runtime.env.PORT ?? '8080')) ? 0 : 1)

  // `--profile` is Spring Boot's SPRING_PROFILES_ACTIVE on the command line (config/profiles.ts).
  const env = args.profile === undefined ? runtime.env : { ...runtime.env, SPRING_PROFILES_ACTIVE: args.profile }
  const source = chooseConfigSource(args.config, env)
  if (!source) {
    runtime.printError('promregator: no configuration: pass --config FILE, set PROMREGATOR_CONFIG_YAML or PROMREGATOR_CONFIG')
    return runtime.exit(2)
  }
  // Read once here when cheap (an unreadable file is left for the boot to report).
  const text = source.kind === 'text' ? source.text : await runtime.readText(source.path).catch(() => undefined)
  const readText = (path: string) => (text !== undefined && source.kind === 'file' && path === source.path ? Promise.resolve(text) : runtime.readText(path))
  if (args.checkConfig) {
    const report = await (await loadBoot()).checkConfig({ source, readText, env })
    for (const line of report.stderr) runtime.printError(line)
    if (report.stdout) runtime.print(report.stdout)
    return runtime.exit(report.code)
  }

  let early = runtime.listenEarly && canListenEarly(runtime.env, text) ? runtime.listenEarly(Number(runtime.env.PORT)) : undefined
  const pause = early ? runtime.pause : undefined
  await pause?.()
  const { boot, listeningFields, generatedPasswordNotice } = await loadBoot()
  const booted: Booted = await boot({ source, readText, env, version: runtime.version, secrets: processSecrets, pause, ...runtime.boot })
  if (!booted.ok) {
    for (const problem of booted.problems) runtime.printError(`promregator: ${problem}`)
    return runtime.exit(2)
  }
  const { config, logger, assembled } = booted
  // The runtime's own crash report would print the error unredacted: log it through the logger, then die as it would.
  runtime.onFatal((what, error) => {
    logger.error(what, { error: error instanceof Error ? error.message : String(error) })
    runtime.exit(1)
  })

  if (early && config.server.address !== DEFAULT_ADDRESS) {
    // The text test of canListenEarly was fooled (e.g. an escaped key): bind where the configuration says.
    await early.server.stop(false)
    early = undefined
  }
  const port = runtime.env.PORT ? Number(runtime.env.PORT) : config.server.port
  const server = early?.server ?? (await runtime.serve({ port, hostname: config.server.address, fetch: assembled.app.fetch }))
  early?.handOver(assembled.app.fetch)
  logger.info('listening', listeningFields(booted, server.port, runtime.version))
  const notice = generatedPasswordNotice(assembled.auth)
  if (notice) runtime.printError(notice)
  const stopDiscovery = assembled.startDiscovery()

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info('shutting down: no new connections, finishing requests in flight', { signal })
    assembled.beginShutdown()
    stopDiscovery()
    const forced = setTimeout(() => {
      logger.warn(`requests still in flight after ${SHUTDOWN_GRACE_MS / 1000} s; exiting anyway`)
      runtime.exit(1)
    }, SHUTDOWN_GRACE_MS)
    await server.stop(true)
    clearTimeout(forced)
    logger.info('stopped')
    runtime.exit(0)
  }
  runtime.onSignal('SIGTERM', () => void shutdown('SIGTERM'))
  runtime.onSignal('SIGINT', () => void shutdown('SIGINT'))
}
