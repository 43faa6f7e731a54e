/**
 * @module boot
 * The heavy half of start-up, shared by both entry points (main.ts for Bun, main-deno.ts for
 * Deno): configuration text → validated {@link Config} → logger → assembled pipeline. The entry
 * points load this module with a dynamic `import()`, so that `--version`, `--help` and, on Bun,
 * the first answer of `/-/healthy` do not wait for the YAML parser, the zod schema (building it and
 * its first, JIT-compiled validation are most of the start-up cost) and Hono to be evaluated.
 * Runtime-agnostic like assemble.ts: the caller brings `fetch`, file reading and the environment.
 */
import type { Assembled } from './assemble.ts'
import { configAdvice } from './config/advice.ts'
import type { CfConfig, Config } from './config/schema.ts'
import type { HerokuConfig } from './config/schema-heroku.ts'
import type { ConfigSource } from './config/source.ts'
import type { InboundAuthSettings } from './http/middleware/auth.ts'
import type { Compressor } from './http/middleware/compression.ts'
import { createLogger, type Logger } from './log.ts'
import type { SecretRegistry } from './secrets.ts'

export interface BootOptions {
  source: ConfigSource
  readText: (path: string) => Promise<string>
  env: Record<string, string | undefined>
  fetch: typeof fetch
  version: string
  /**
   * The process's secret registry, created by the caller before anything can fail, so its own
   * last-resort error handler redacts too; the configured secrets are added here.
   */
  secrets: SecretRegistry
  /** Called after every discovery refresh (main.ts collects garbage there). */
  onRefresh?: () => void
  /** Full garbage collection after large Cloud Controller responses and `/metrics` answers (main.ts: `Bun.gc(true)`). */
  collectGarbage?: () => void
  /**
   * Awaited between the stages of the boot (loading the YAML parser and the schema, validating,
   * loading the pipeline, assembling it; each a few milliseconds of uninterrupted work) when a
   * server is already listening, so that it answers `/-/healthy` in between instead of after all.
   */
  pause?: () => Promise<void>
  /** Whole-body compressor for gzip/deflate responses (main.ts: zlib at a fast level); default: `CompressionStream`. */
  compressor?: Compressor
  /** The fetch leaves scraped bodies in their content coding when asked (main.ts: Bun's `decompress: false`). */
  bodiesAsSent?: boolean
}

/** Either the problems that stop start-up (one line each, exit 2) or the running pieces. */
export type Booted =
  | { ok: false; problems: string[] }
  | { ok: true; config: Config; logger: Logger; assembled: Assembled; origin: string }

/** Loads and validates the configuration, logs its warnings, and assembles the pipeline (nothing is requested yet). */
export async function boot(options: BootOptions): Promise<Booted> {
  const pause = options.pause ?? (() => Promise.resolve())
  // Static string specifiers: `bun build --compile` bundles these modules and evaluates each on
  // first import, so every import below is one stage (src/main.ts answers `/-/healthy` between
  // two). The YAML parser (~1 ms), zod, the parts of the configuration schema one by one (~7 ms
  // together: zod 4 clones a schema on every method call), then the schema's composition and the
  // loader, which pauses between the YAML parser's two phases (its first run, ~5 ms) and before
  // validating. The longest stage left is the YAML parser's first pass over the text.
  // Written out rather than a loop over `() => import(...)` closures: with those, loading this
  // module itself took ~2 ms longer before the first stage (bench/startup.ts).
  await import('yaml')
  await pause()
  await import('zod')
  await pause()
  await import('./config/schema-common.ts')
  await pause()
  await import('./config/schema-auth.ts')
  await pause()
  await import('./config/schema-inbound.ts')
  await pause()
  await import('./config/schema-target.ts')
  await pause()
  await import('./config/schema-cf.ts')
  await pause()
  const { loadConfigSource } = await import('./config/load.ts')
  await pause()
  const loaded = await loadConfigSource(options.source, options.readText, options.env, pause)
  if (!loaded.ok) return loaded
  await pause()
  const { assemble, configSecrets } = await import('./assemble.ts')
  await pause()
  const config = loaded.config
  const { secrets } = options
  for (const secret of configSecrets(config)) secrets.addConfigured(secret)
  const logger = createLogger({ level: config.promregator.log.level, format: config.promregator.log.format, secrets: () => secrets.forms() })
  for (const warning of [...loaded.warnings, ...configAdvice(config)]) logger.warn(warning)
  const assembled = assemble(config, { fetch: options.fetch, logger, version: options.version, secrets, onRefresh: options.onRefresh, collectGarbage: options.collectGarbage, compressor: options.compressor, bodiesAsSent: options.bodiesAsSent, env: options.env })
  return { ok: true, config, logger, assembled, origin: options.source.origin }
}

/** What `--check-config` prints and its exit code: the problems (2), or the warnings and a one-line summary (0). */
export interface ConfigCheck {
  code: 0 | 2
  /** The summary line for standard output; empty when the configuration has problems. */
  stdout: string
  /** Lines for standard error: the problems, or the warnings. */
  stderr: string[]
}

/** Loads and validates the configuration only (`--check-config`): no Cloud Foundry request, no port. */
export async function checkConfig(options: Pick<BootOptions, 'source' | 'readText' | 'env'>): Promise<ConfigCheck> {
  const { loadConfigSource } = await import('./config/load.ts')
  const { sectionEntries } = await import('./config/entries.ts')
  const loaded = await loadConfigSource(options.source, options.readText, options.env)
  if (!loaded.ok) return { code: 2, stdout: '', stderr: loaded.problems.map((p) => `promregator: ${p}`) }
  const { cf, heroku, promregator } = loaded.config
  const describe = ({ name }: { name?: string }, where: string) => (name === undefined ? where : `${name} (${where})`)
  const foundations = [
    ...sectionEntries<CfConfig>('cf', cf).map((e) => describe(e, e.settings.api_host)),
    ...sectionEntries<HerokuConfig>('heroku', heroku).map((e) => describe(e, `Heroku ${e.settings.api_url}`)),
  ]
  const targets = promregator.targets.length
  return {
    code: 0,
    stdout: `${options.source.origin}: configuration OK; ${targets} target${targets === 1 ? '' : 's'} on ${foundations.join(', ')}`,
    stderr: [...loaded.warnings, ...configAdvice(loaded.config)].map((w) => `promregator: warning: ${w}`),
  }
}

/** The `listening` log line's fields, the same from both entry points. */
export function listeningFields(booted: Extract<Booted, { ok: true }>, port: number, version: string): Record<string, unknown> {
  return { port, version, config: booted.origin, targets: booted.config.promregator.targets.length }
}

/**
 * The line printed once, straight to stderr, when inbound BASIC authentication is on without a
 * configured password (the logger would rightly redact the generated one); undefined otherwise.
 */
export function generatedPasswordNotice(auth: InboundAuthSettings): string | undefined {
  if (!auth.user?.generated) return undefined
  return `promregator: inbound authentication is BASIC but promregator.authentication.basic.password is not set; generated password for user '${auth.user.username}': ${auth.user.password}`
}
