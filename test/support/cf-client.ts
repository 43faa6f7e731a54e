/**
 * @module test/support/cf-client
 * A Cloud Controller client logged in to a simulator (password grant), with the configuration's
 * `cf.request` defaults unless a test names other settings, and the resolver's timeouts as the
 * schema defaults them. For the client, resolver and discovery benchmarks.
 */
import { cfSchema } from '../../src/config/schema.ts'
import { passwordGrant } from '../../src/oauth/grants.ts'
import { createTokenSource } from '../../src/oauth/token-source.ts'
import { createCfClient, type CfClient, type CfClientOptions } from '../../src/platform/cf/client.ts'
import type { CacheTimeouts } from '../../src/platform/cf/resolve.ts'
import { RESOURCE_CLASSES } from '../../src/platform/cf/types.ts'
import type { Simulator } from './simulator/index.ts'

/** `cf.request.*` settings a test may change (in the client's old option names). */
export interface RequestOverrides {
  backoffMs?: number
  retries?: number
  rateLimit?: number
  concurrency?: number
  timeoutMs?: number
}

/** The `cf` section's defaults, as a validated configuration has them. */
export function cfDefaults() {
  return cfSchema.parse({ api_host: 'unused' })
}

/** The resolver's cache timeouts (ms) with the schema's defaults. */
export function defaultCacheTimeouts(overrides: Partial<CacheTimeouts> = {}): CacheTimeouts {
  const timeout = cfDefaults().cache.timeout
  return { ...(Object.fromEntries(RESOURCE_CLASSES.map((cls) => [cls, timeout[cls] * 1000])) as CacheTimeouts), ...overrides }
}

/** A client for `sim`'s Cloud Controller, logging in as its user. */
export function simulatorClient(sim: Pick<Simulator, 'apiUrl' | 'credentials'>, options: RequestOverrides & Partial<Omit<CfClientOptions, 'request'>> = {}): CfClient {
  const { backoffMs, retries, rateLimit, concurrency, timeoutMs, ...rest } = options
  const defaults = cfDefaults().request
  return createCfClient({
    apiUrl: sim.apiUrl,
    fetch: globalThis.fetch,
    tokens: (uaaUrl) => createTokenSource({ tokenUrl: `${uaaUrl}/oauth/token`, label: 'UAA', grant: passwordGrant(sim.credentials), fetch: globalThis.fetch }),
    request: {
      ...defaults,
      backoff: backoffMs ?? defaults.backoff,
      retries: retries ?? defaults.retries,
      rateLimit: rateLimit ?? defaults.rateLimit,
      concurrency: concurrency ?? defaults.concurrency,
      timeout: { ...defaults.timeout, org: timeoutMs ?? defaults.timeout.org },
    },
    ...rest,
  })
}
