/**
 * @module platform/cf/foundations
 * The `cf` section as a list of named foundations (a single block is one foundation named
 * `default`), and one Cloud Controller client per foundation with its own UAA login (a user of
 * the process's one token source: the password grant of the cf CLI, or client credentials),
 * timeouts, retries and rate limit.
 */
import { sectionEntries } from '../../config/entries.ts'
import type { CfConfig, Config } from '../../config/schema.ts'
import { clientCredentialsGrant, passwordGrant } from '../../oauth/grants.ts'
import { createTokenSource } from '../../oauth/token-source.ts'
import type { Grant } from '../../oauth/types.ts'
import type { ApiRequestEvent } from '../types.ts'
import { createCfClient, type CfClient } from './client.ts'

/** Name given to the foundation of a single `cf:` block. */
export const DEFAULT_FOUNDATION = 'default'

/** One foundation with its settings. */
export interface Foundation {
  name: string
  settings: CfConfig
}

/** The configured foundations in configuration order. */
export function foundationsOf(config: Pick<Config, 'cf'>): Foundation[] {
  return sectionEntries<CfConfig>('cf', config.cf).map(({ name, settings }) => ({ name: name ?? DEFAULT_FOUNDATION, settings }))
}

/** Client credentials when `client_id` is set, else the password grant of the cf CLI. */
export function grantOf(settings: CfConfig): Grant {
  if (settings.client_id !== undefined) return clientCredentialsGrant({ clientId: settings.client_id, clientSecret: settings.client_secret ?? '' })
  return passwordGrant({ username: settings.username ?? '', password: settings.password ?? '' })
}

export interface FoundationClientDeps {
  fetch: typeof fetch
  now?: () => number
  /** Every CC request (for metrics). */
  onRequest?: (event: ApiRequestEvent) => void
  /** Every token request (for metrics). */
  onTokenRequest?: (grant: string, outcome: 'ok' | 'error') => void
  sleep?: (ms: number) => Promise<void>
  /** Collects garbage after large responses (see `CfClientOptions.collectGarbage`). */
  collectGarbage?: () => void
  /** How a list had to be read (see `CfClientOptions.onNote`). */
  onNote?: (message: string) => void
}

/**
 * A client for one foundation, configured from its `cf.request.*` settings. `cf.skipSslValidation`
 * travels as Bun's `tls` fetch option to the Cloud Controller and UAA alike.
 */
export function createFoundationClient(foundation: Foundation, deps: FoundationClientDeps): CfClient {
  const { settings } = foundation
  const grant = grantOf(settings)
  const tls = settings.skipSslValidation ? { tls: { rejectUnauthorized: false } } : undefined
  return createCfClient({
    apiUrl: settings.api_host,
    fetch: deps.fetch,
    tokens: (uaaUrl) =>
      createTokenSource({
        tokenUrl: `${uaaUrl.replace(/\/+$/, '')}/oauth/token`,
        label: 'UAA',
        grant,
        fetch: tls ? withOptions(deps.fetch, tls) : deps.fetch,
        now: deps.now,
        renewBeforeMs: 60_000,
        defaultLifetimeS: 600,
        onRequest: deps.onTokenRequest,
      }),
    request: settings.request,
    onRequest: deps.onRequest,
    onNote: deps.onNote,
    fetchOptions: tls,
    sleep: deps.sleep,
    collectGarbage: deps.collectGarbage,
  })
}

/** The same fetch with extra init options (Bun's `tls`) merged into every call. */
function withOptions(inner: typeof fetch, extra: Record<string, unknown>): typeof fetch {
  return ((input: string | URL | Request, init?: RequestInit) => inner(input, { ...init, ...extra } as RequestInit)) as typeof fetch
}
