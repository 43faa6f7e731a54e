/**
 * @module test/support/proxy-fetch
 * Node's built-in fetch ignores Bun's `proxy` option. This fetch honours it with undici's
 * ProxyAgent (which tunnels with CONNECT), so the product's scraper reaches the simulated
 * gorouter under vitest exactly as the binary does under Bun.
 */
import { ProxyAgent, fetch as undiciFetch } from 'undici'

const agents = new Map<string, ProxyAgent>()

/** A `fetch` that sends requests carrying `proxy` through that proxy. */
export const proxyAwareFetch = ((input: string | URL | Request, init?: RequestInit & { proxy?: string }) => {
  const { proxy, ...rest } = init ?? {}
  if (!proxy) return globalThis.fetch(input, rest)
  let agent = agents.get(proxy)
  if (!agent) {
    agent = new ProxyAgent(proxy)
    agents.set(proxy, agent)
  }
  return undiciFetch(input as string, { ...(rest as object), dispatcher: agent }) as unknown as Promise<Response>
}) as typeof fetch
