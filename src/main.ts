/**
 * @module main
 * Command-line entry of the binary: flags, configuration, serving with Bun, signals. The only
 * file that touches a runtime-specific API. It exports nothing on purpose: `bun build --compile`
 * would otherwise start a second server or switch the output format.
 */
import { readFile } from 'node:fs/promises'
import pkg from '../package.json' with { type: 'json' }
import { assemble, configSecrets } from './assemble.ts'
import { chooseConfigSource, loadConfigSource } from './config/load.ts'
import type { Config } from './config/schema.ts'
import { createLogger, redact } from './log.ts'
import { SecretRegistry } from './secrets.ts'

declare const BUILD_COMMIT: string | undefined

interface BunServer {
  port: number
  stop(closeActiveConnections?: boolean): Promise<void>
}
interface BunRuntime {
  serve(options: { port: number; hostname: string; fetch: (request: Request) => Response | Promise<Response>; idleTimeout?: number }): BunServer
}

const USAGE = `Usage: promregator [--config FILE] [--version] [--help]

Discovers the instances of Cloud Foundry apps and lets Prometheus scrape each of them.

Options:
  --config FILE   configuration file (YAML); default: $PROMREGATOR_CONFIG_YAML, then $PROMREGATOR_CONFIG
  --version       print the version and exit
  --healthcheck   ask the server on $PORT (or 8080) for /-/healthy; exit 0 if healthy (for container HEALTHCHECKs)
  --help          print this help and exit

Environment:
  PROMREGATOR_CONFIG_YAML  the configuration itself (YAML) when --config is not given (cf set-env)
  PROMREGATOR_CONFIG   configuration file when neither --config nor PROMREGATOR_CONFIG_YAML is given
  PORT                 port to listen on (Cloud Foundry sets it); else server.port, else 8080
  CF_PASSWORD          overrides cf.password
`

function version(): string {
  const commit = typeof BUILD_COMMIT === 'string' && BUILD_COMMIT ? BUILD_COMMIT : 'unknown'
  return `promregator ${pkg.version} (commit ${commit})`
}

interface Args {
  config?: string
  version?: boolean
  help?: boolean
  healthcheck?: boolean
  error?: string
}

function parseArgs(argv: string[]): Args {
  const out: Args = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--version' || arg === '-v') out.version = true
    else if (arg === '--help' || arg === '-h') out.help = true
    else if (arg === '--healthcheck') out.healthcheck = true
    else if (arg === '--config' || arg === '-c') {
      const value = argv[++i]
      if (!value) return { error: '--config needs a file name' }
      out.config = value
    } else if (arg.startsWith('--config=')) out.config = arg.slice('--config='.length)
    else return { error: `unknown argument ${arg}` }
  }
  return out
}

/** Exits 0 when the local server answers /-/healthy with 200 (distroless images have no curl). */
async function healthcheck(): Promise<void> {
  const port = process.env.PORT ?? '8080'
  try {
    const response = await fetch(`http://127.0.0.1:${port}/-/healthy`, { signal: AbortSignal.timeout(2000) })
    process.exit(response.status === 200 ? 0 : 1)
  } catch {
    process.exit(1)
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  if (args.error) {
    process.stderr.write(`promregator: ${args.error}\n\n${USAGE}`)
    process.exit(2)
  }
  if (args.help) return void process.stdout.write(USAGE)
  if (args.version) return void process.stdout.write(`${version()}\n`)
  if (args.healthcheck) return healthcheck()

  const source = chooseConfigSource(args.config, process.env)
  if (!source) {
    process.stderr.write(`promregator: no configuration: pass --config FILE, set PROMREGATOR_CONFIG_YAML or PROMREGATOR_CONFIG\n`)
    process.exit(2)
  }
  const loaded = await loadConfigSource(source, (p) => readFile(p, 'utf8'), process.env)
  if (!loaded.ok) {
    for (const problem of loaded.problems) process.stderr.write(`promregator: ${problem}\n`)
    process.exit(2)
  }
  const config: Config = loaded.config
  secrets = new SecretRegistry(configSecrets(config))
  const registry = secrets
  const logger = createLogger({ level: config.promregator.log.level, format: config.promregator.log.format, secrets: () => registry.all() })
  for (const warning of loaded.warnings) logger.warn(warning)
  // The runtime's own crash report would print the error unredacted: log it through the logger, then die as it would.
  const fatal = (what: string, error: unknown) => {
    logger.error(what, { error: error instanceof Error ? error.message : String(error) })
    process.exit(1)
  }
  process.on('uncaughtException', (error) => fatal('uncaught exception', error))
  process.on('unhandledRejection', (reason) => fatal('unhandled rejection', reason))

  const { app, cache, auth, beginShutdown } = assemble(config, { fetch: globalThis.fetch, logger, version: version(), secrets })
  const port = process.env.PORT ? Number(process.env.PORT) : config.server.port
  const bun = (globalThis as unknown as { Bun?: BunRuntime }).Bun
  if (!bun) {
    process.stderr.write('promregator: this entry point needs Bun (use the built binary or `bun src/main.ts`)\n')
    process.exit(1)
  }
  const server = bun.serve({ port, hostname: config.server.address, fetch: app.fetch, idleTimeout: 60 })
  logger.info('listening', { port: server.port, version: version(), config: source.origin, targets: config.promregator.targets.length })
  if (auth.user?.generated) {
    // Printed once, straight to stderr: the logger would (rightly) redact it.
    process.stderr.write(
      `promregator: inbound authentication is BASIC but promregator.authentication.basic.password is not set; generated password for user '${auth.user.username}': ${auth.user.password}\n`,
    )
  }
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

/** Secrets known so far, so even a fatal error message is redacted. */
let secrets: SecretRegistry | undefined

void main().catch((error: unknown) => {
  process.stderr.write(`promregator: ${redact((error as Error).message ?? String(error), secrets?.all() ?? [])}\n`)
  process.exit(1)
})
