/**
 * @module test/support/tls-fetch
 * Bun's fetch takes a `tls` option (`{ cert, key, ca, rejectUnauthorized }`); Node's does not.
 * This adapter gives Node the same behaviour with undici's `Agent({ connect })`, so the product's
 * mTLS token requests run under vitest exactly as the binary sends them under Bun. Requests
 * without `tls` go to `base` unchanged (e.g. {@link proxyAwareFetch}).
 */
import { Agent, fetch as undiciFetch } from 'undici'
import type { TlsClientOptions } from '../../src/oauth/types.ts'

export interface TlsFetchOptions {
  /** Fetch for requests without `tls`. */
  base: typeof fetch
  /** Extra trusted CA (PEM) when the request names none, as NODE_EXTRA_CA_CERTS would add it. */
  trustedCa?: string
}

/** A fetch that honours Bun's `tls` option under Node. */
export function createTlsFetch(options: TlsFetchOptions): typeof fetch {
  const agents = new Map<string, Agent>()
  return ((input: string | URL | Request, init?: RequestInit & { tls?: TlsClientOptions }) => {
    const { tls, ...rest } = init ?? {}
    if (!tls) return options.base(input, rest)
    const connect = { cert: tls.cert, key: tls.key, ca: tls.ca ?? options.trustedCa, rejectUnauthorized: tls.rejectUnauthorized ?? true }
    const cacheKey = JSON.stringify(connect)
    let agent = agents.get(cacheKey)
    if (!agent) {
      agent = new Agent({ connect })
      agents.set(cacheKey, agent)
    }
    return undiciFetch(input as string, { ...(rest as object), dispatcher: agent }) as unknown as Promise<Response>
  }) as typeof fetch
}
