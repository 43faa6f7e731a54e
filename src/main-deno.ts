/**
 * @module main-deno
 * Entry for Deno (`deno task start`): the same pipeline as the Bun binary, served with
 * `Deno.serve`. Besides serving, the one runtime difference it bridges is the outbound proxy:
 * the scraper passes Bun's `proxy` fetch option, which Deno ignores, so {@link denoFetch} turns
 * it into a `Deno.createHttpClient({ proxy })` client. Start-up mirrors main.ts (keep the two in
 * step); like main.ts it exports nothing.
 */
import pkg from '../package.json' with { type: 'json' }
import { assemble, configSecrets } from './assemble.ts'
import { chooseConfigSource, loadConfigSource } from './config/load.ts'
import { createLogger } from './log.ts'
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
const version = `promregator ${pkg.version} (deno)`

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

function configFlag(args: string[]): string | undefined {
  const at = args.findIndex((a) => a === '--config' || a === '-c')
  if (at !== -1) return args[at + 1]
  return args.find((a) => a.startsWith('--config='))?.slice('--config='.length)
}

async function main(): Promise<void> {
  if (Deno.args.includes('--version')) {
    console.log(version)
    return
  }
  const env = Deno.env.toObject()
  const source = chooseConfigSource(configFlag(Deno.args), env)
  if (!source) {
    console.error('promregator: no configuration: pass --config FILE, set PROMREGATOR_CONFIG_YAML or PROMREGATOR_CONFIG')
    Deno.exit(2)
  }
  const loaded = await loadConfigSource(source, (path) => Deno.readTextFile(path), env)
  if (!loaded.ok) {
    for (const problem of loaded.problems) console.error(`promregator: ${problem}`)
    Deno.exit(2)
  }
  const config = loaded.config
  const secrets = new SecretRegistry(configSecrets(config))
  const logger = createLogger({ level: config.promregator.log.level, format: config.promregator.log.format, secrets: () => secrets.all() })
  for (const warning of loaded.warnings) logger.warn(warning)

  const { app, cache, auth, beginShutdown } = assemble(config, { fetch: denoFetch(), logger, version, secrets })
  const port = env.PORT !== undefined ? Number(env.PORT) : config.server.port
  const server = Deno.serve(
    {
      port,
      hostname: config.server.address,
      onListen: (addr) => logger.info('listening', { port: addr.port, version, config: source.origin, targets: config.promregator.targets.length }),
    },
    app.fetch,
  )
  if (auth.user?.generated) {
    // Printed once, straight to stderr: the logger would (rightly) redact it.
    console.error(
      `promregator: inbound authentication is BASIC but promregator.authentication.basic.password is not set; generated password for user '${auth.user.username}': ${auth.user.password}`,
    )
  }
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

main().catch((error: unknown) => {
  console.error(`promregator: ${error instanceof Error ? error.message : String(error)}`)
  Deno.exit(1)
})
