/**
 * @module main-deno
 * Entry for Deno (`deno task start`): a thin adapter that gives src/lifecycle.ts `Deno.serve`,
 * file reading, signals and the environment. Besides serving, the one runtime difference it
 * bridges is the outbound proxy: the scraper passes Bun's `proxy` fetch option, which Deno
 * ignores, so {@link denoFetch} turns it into a `Deno.createHttpClient({ proxy })` client. Like
 * main.ts it exports nothing.
 */
import { versionLine } from './cli.ts'
import { processSecrets, run } from './lifecycle.ts'
import { redact } from './log.ts'

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

run({
  argv: Deno.args,
  env: Deno.env.toObject(),
  version: versionLine('deno'),
  readText: (path) => Deno.readTextFile(path),
  print: (line) => console.log(line),
  printError: (line) => console.error(line),
  exit: (code) => Deno.exit(code),
  onSignal: (signal, handler) => Deno.addSignalListener(signal, handler),
  onFatal(handler) {
    globalThis.addEventListener('error', (event) => handler('uncaught exception', (event as ErrorEvent).error))
    globalThis.addEventListener('unhandledrejection', (event) => handler('unhandled rejection', (event as PromiseRejectionEvent).reason))
  },
  serve: ({ port, hostname, fetch }) =>
    new Promise((resolve) => {
      const server = Deno.serve({ port, hostname, onListen: (addr) => resolve({ port: addr.port, stop: () => server.shutdown() }) }, fetch)
    }),
  boot: { fetch: denoFetch() },
}).catch((error: unknown) => {
  console.error(`promregator: ${redact(error instanceof Error ? error.message : String(error), processSecrets.forms())}`)
  Deno.exit(1)
})
