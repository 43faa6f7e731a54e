/**
 * @module net/proxy
 * HTTP forward proxies for outbound traffic, given as `{ host, port }` blocks in the configuration
 * (`cf.proxy` for Cloud Controller and UAA, `promregator.scraping.proxy` for scrapes). They travel
 * as Bun's `proxy` fetch option, which ofetch passes through untouched.
 */

/** `{ host, port }` → `http://host:port`, or undefined without a proxy. */
export function proxyUrlOf(proxy: { host: string; port: number } | undefined): string | undefined {
  if (!proxy) return undefined
  const host = proxy.host.includes(':') && !proxy.host.startsWith('[') ? `[${proxy.host}]` : proxy.host
  return `http://${host}:${proxy.port}`
}

/** A fetch that sends every request through `proxyUrl` unless the caller names another proxy. */
export function fetchThroughProxy(inner: typeof fetch, proxyUrl: string | undefined): typeof fetch {
  if (!proxyUrl) return inner
  return ((input: string | URL | Request, init?: RequestInit & { proxy?: string }) => inner(input, { proxy: proxyUrl, ...init } as RequestInit)) as typeof fetch
}
