/**
 * @module cf/foundations
 * The `cf` section as a list of named foundations (a single block is one foundation named
 * `default`), and one Cloud Controller client per foundation with its own UAA login, timeouts,
 * retries and rate limit.
 */
import type { CfConfig, Config } from '../config/schema.ts'
import { createCfClient, type CfClient, type CfRequestEvent } from './client.ts'
import { createTokenProvider, type Grant } from './uaa.ts'

/** Name given to the foundation of a single `cf:` block. */
export const DEFAULT_FOUNDATION = 'default'

/** One foundation with its settings. */
export interface Foundation {
  name: string
  settings: CfConfig
}

/** The configured foundations in configuration order. */
export function foundationsOf(config: Pick<Config, 'cf'>): Foundation[] {
  if (!Array.isArray(config.cf)) return [{ name: DEFAULT_FOUNDATION, settings: config.cf }]
  return config.cf.map((f) => ({ name: f.name, settings: f }))
}

/** Client credentials when `client_id` is set, else the password grant of the cf CLI. */
export function grantOf(settings: CfConfig): Grant {
  if (settings.client_id !== undefined) {
    return { kind: 'client_credentials', clientId: settings.client_id, clientSecret: settings.client_secret ?? '' }
  }
  return { kind: 'password', username: settings.username ?? '', password: settings.password ?? '' }
}

/** Secrets of every foundation, for log redaction. */
export function foundationSecrets(config: Pick<Config, 'cf'>): string[] {
  return foundationsOf(config).flatMap(({ settings }) => [settings.password, settings.client_secret].filter((s): s is string => !!s))
}

export interface FoundationClientDeps {
  fetch: typeof fetch
  /** Every CC request (for metrics). */
  onRequest?: (event: CfRequestEvent) => void
  /** Every token request (for metrics). */
  onTokenRequest?: (grant: string, outcome: 'ok' | 'error') => void
  /** Extra fetch options for CC and UAA (e.g. `proxy` for `cf.proxy`). */
  fetchOptions?: Record<string, unknown>
  sleep?: (ms: number) => Promise<void>
  /** Collects garbage after large responses (see `CfClientOptions.collectGarbage`). */
  collectGarbage?: () => void
}

/** A client for one foundation, configured from its `cf.request.*` settings. */
export function createFoundationClient(foundation: Foundation, deps: FoundationClientDeps): CfClient {
  const { settings } = foundation
  const grant = grantOf(settings)
  const tls = settings.skipSslValidation ? { tls: { rejectUnauthorized: false } } : {}
  const fetchOptions = { ...tls, ...deps.fetchOptions }
  const hasOptions = Object.keys(fetchOptions).length > 0
  return createCfClient({
    apiUrl: settings.api_host,
    fetch: deps.fetch,
    tokens: (uaaUrl) =>
      createTokenProvider({
        uaaUrl,
        grant,
        fetch: hasOptions ? withOptions(deps.fetch, fetchOptions) : deps.fetch,
        onRequest: deps.onTokenRequest,
      }),
    timeoutMs: settings.request.timeout.org,
    retries: settings.request.retries,
    backoffMs: settings.request.backoff,
    rateLimit: settings.request.rateLimit,
    concurrency: settings.request.concurrency,
    onRequest: deps.onRequest,
    fetchOptions: hasOptions ? fetchOptions : undefined,
    sleep: deps.sleep,
    collectGarbage: deps.collectGarbage,
  })
}

/** The same fetch with extra init options (Bun's `tls`, `proxy`) merged into every call. */
function withOptions(inner: typeof fetch, extra: Record<string, unknown>): typeof fetch {
  return ((input: string | URL | Request, init?: RequestInit) => inner(input, { ...init, ...extra } as RequestInit)) as typeof fetch
}
