/**
 * @module simulator/faults
 * Runtime fault controls: added latency, the next N requests failing with 5xx or 429, an
 * "unreachable" switch per server, a page-size cap, and token lifetime/expiry. Handlers ask this
 * object before doing real work, so a test flips a fault and the very next request sees it.
 */
import type { TokenStore } from './tokens.ts'

export type FaultServer = 'cc' | 'uaa' | 'router'

/** A queued failure: the next `remaining` matching requests answer with it. */
export interface FailureRule {
  kind: 'error' | 'rateLimit'
  server: FaultServer
  status: number
  remaining: number
  pathPrefix?: string
  retryAfterSeconds: number
}

export interface FailNextOptions {
  /** 500, 502 or 503 (default 503). */
  status?: 500 | 502 | 503
  /** Only requests whose path starts with this count and fail (default: all). */
  pathPrefix?: string
  /** Which server fails (default 'cc'); 'router' answers 502 endpoint_failure. */
  server?: FaultServer
}

export interface RateLimitNextOptions {
  retryAfterSeconds?: number
  pathPrefix?: string
  server?: 'cc' | 'uaa'
}

/** The fault switchboard of one simulator. */
export class FaultControls {
  /** Milliseconds added before every CC and UAA answer. */
  latencyMs: number
  /** When set, no page holds more than this many resources. */
  maxPerPage: number | undefined
  /** The operator's `renderer.max_total_results`: a page whose page × per_page exceeds it is a 400. */
  maxTotalResults: number | undefined
  private readonly unreachable: Record<FaultServer, boolean> = { cc: false, uaa: false, router: false }
  private rules: FailureRule[] = []

  constructor(
    private readonly tokens: TokenStore,
    initial: { latencyMs?: number; maxPerPage?: number; maxTotalResults?: number } = {},
  ) {
    this.latencyMs = initial.latencyMs ?? 0
    this.maxPerPage = initial.maxPerPage
    this.maxTotalResults = initial.maxTotalResults
  }

  /** The next `count` matching requests answer 5xx (CC: CF-ServiceUnavailable body). */
  failNext(count: number, options: FailNextOptions = {}): void {
    this.rules.push({
      kind: 'error',
      server: options.server ?? 'cc',
      status: options.status ?? (options.server === 'router' ? 502 : 503),
      remaining: count,
      pathPrefix: options.pathPrefix,
      retryAfterSeconds: 0,
    })
  }

  /** The next `count` matching requests answer 429 with Retry-After and X-RateLimit-Reset. */
  rateLimitNext(count: number, options: RateLimitNextOptions = {}): void {
    this.rules.push({
      kind: 'rateLimit',
      server: options.server ?? 'cc',
      status: 429,
      remaining: count,
      pathPrefix: options.pathPrefix,
      retryAfterSeconds: options.retryAfterSeconds ?? 1,
    })
  }

  /**
   * Unreachable servers destroy each request's socket without any answer (the client sees a
   * connection reset / "socket hang up"). `true` switches CC and UAA; pass an object for the router.
   */
  setUnreachable(value: boolean | Partial<Record<FaultServer, boolean>>): void {
    if (typeof value === 'boolean') {
      this.unreachable.cc = value
      this.unreachable.uaa = value
      return
    }
    Object.assign(this.unreachable, value)
  }

  isUnreachable(server: FaultServer): boolean {
    return this.unreachable[server]
  }

  /** Access tokens issued from now on live this long (seconds). */
  setTokenLifetime(seconds: number): void {
    this.tokens.accessLifetimeSeconds = seconds
  }

  /** Every access token issued so far is expired from now on (refresh tokens stay valid). */
  expireAllTokens(): void {
    this.tokens.expireAccessTokens()
  }

  /** Every access and refresh token issued so far becomes unknown to the UAA. */
  revokeAllTokens(): void {
    this.tokens.revokeAll()
  }

  /** Consumes and returns the first queued failure that matches this request, if any. */
  takeFailure(server: FaultServer, path: string): FailureRule | undefined {
    const rule = this.rules.find((r) => r.server === server && r.remaining > 0 && (r.pathPrefix === undefined || path.startsWith(r.pathPrefix)))
    if (!rule) return undefined
    rule.remaining--
    this.rules = this.rules.filter((r) => r.remaining > 0)
    return rule
  }

  /** Failures still queued (for assertions that a test used them all). */
  pendingFailures(): number {
    return this.rules.reduce((sum, r) => sum + r.remaining, 0)
  }

  /** Clears every fault (latency, queued failures, unreachable, page cap). */
  reset(): void {
    this.latencyMs = 0
    this.maxPerPage = undefined
    this.maxTotalResults = undefined
    this.rules = []
    this.unreachable.cc = this.unreachable.uaa = this.unreachable.router = false
  }
}
