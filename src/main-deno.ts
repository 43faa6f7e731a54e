/**
 * @module main-deno
 * Entry for Deno (`deno task start`): the same pipeline as the Bun binary, served with
 * `Deno.serve`. Flags come from src/cli.ts and the configuration → pipeline steps from src/boot.ts,
 * both shared with main.ts. Besides serving, the one runtime difference it bridges is the outbound
 * proxy: the scraper passes Bun's `proxy` fetch option, which Deno ignores, so {@link denoFetch}
 * turns it into a `Deno.createHttpClient({ proxy })` client. Like main.ts it exports nothing.
 */
import { boot, checkConfig, generatedPasswordNotice, listeningFields } from './boot.ts'
import { healthcheck, parseArgs, USAGE, versionLine } from './cli.ts'
import { chooseConfigSource } from './config/source.ts'
import { redact } from './log.ts'
import { SecretRegistry } from './secrets.ts'

/** The part of Deno's global namespace this entry uses (tsconfig has Node's types only). */
interface DenoRuntime {
  args: string[]
  env: { toObject(): Record<string, string> }
  readTextFile(path: string): Promise<string>
  exit(code: number): never
  addSignalListener(signal: 'SIGTERM' | 'SIGINT', handler: () => void): void
  createHttpClient(options: { proxy: { url: string } }): unknown
  serve(
    options: { port: number; hostname: string; onListen?: (addr: { port: number; hostname: string }) => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { shutdown(): Promise<void>; finished: Promise<void> }
}

const Deno: DenoRuntime = (globalThis as unknown as { Deno: DenoRuntime }).Deno
const version = versionLine('deno')

/** fetch that honours Bun's `proxy` option with one Deno HTTP client per proxy URL. */
function denoFetch(): typeof fetch {
  const clients = new Map<string, unknown>()
  return ((input: RequestInfo | URL, init?: RequestInit & { proxy?: string }) => {
    const proxy = init?.proxy
    if (!proxy) return fetch(input, init)
    let client = clients.get(proxy)
    if (!client) {
      client = Deno.createHttpClient({ proxy: { url: proxy } })
      clients.set(proxy, client)
    }
    const { proxy: _ignored, ...rest } = init
    return fetch(input, { ...rest, client } as RequestInit)
  }) as typeof fetch
}

async function main(): Promise<void> {
  const args = parseArgs(Deno.args)
  if (args.error) {
    console.error(`promregator: ${args.error}\n\n${USAGE}`)
    Deno.exit(2)
  }
  if (args.help) return void console.log(USAGE)
  if (args.version) return void console.log(version)
  const env = Deno.env.toObject()
  if (args.healthcheck) Deno.exit((await healthcheck(env.PORT ?? '8080')) ? 0 : 1)
  const source = chooseConfigSource(args.config, env)
  if (!source) {
    console.error('promregator: no configuration: pass --config FILE, set PROMREGATOR_CONFIG_YAML or PROMREGATOR_CONFIG')
    Deno.exit(2)
  }
  if (args.checkConfig) {
    const report = await checkConfig({ source, readText: (path) => Deno.readTextFile(path), env })
    for (const line of report.stderr) console.error(line)
    if (report.stdout) console.log(report.stdout)
    Deno.exit(report.code)
  }
  const booted = await boot({ source, readText: (path) => Deno.readTextFile(path), env, fetch: denoFetch(), version, secrets })
  if (!booted.ok) {
    for (const problem of booted.problems) console.error(`promregator: ${problem}`)
    Deno.exit(2)
  }
  const { config, logger, assembled } = booted
  const { app, cache, auth, beginShutdown } = assembled
  const port = env.PORT ? Number(env.PORT) : config.server.port
  const server = Deno.serve(
    { port, hostname: config.server.address, onListen: (addr) => logger.info('listening', listeningFields(booted, addr.port, version)) },
    app.fetch,
  )
  const notice = generatedPasswordNotice(auth)
  if (notice) console.error(notice)
  const stopRefreshing = cache.start()
  let stopping = false
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info('shutting down: no new connections, finishing requests in flight', { signal })
    beginShutdown()
    stopRefreshing()
    const forced = setTimeout(() => Deno.exit(1), 9000)
    void server.shutdown().finally(() => {
      clearTimeout(forced)
      logger.info('stopped')
      Deno.exit(0)
    })
  }
  Deno.addSignalListener('SIGTERM', () => shutdown('SIGTERM'))
  Deno.addSignalListener('SIGINT', () => shutdown('SIGINT'))
}

/** Secrets known so far (the configured ones from boot on), so even a fatal error message is redacted, as in main.ts. */
const secrets = new SecretRegistry()

main().catch((error: unknown) => {
  console.error(`promregator: ${redact(error instanceof Error ? error.message : String(error), secrets.all())}`)
  Deno.exit(1)
})
