/**
 * @module simulator/logs
 * What the simulator saw: a bounded log of Cloud Controller / UAA calls and of router calls, plus
 * counters (token requests per grant type, hits per instance) that tests assert on, e.g.
 * "exactly one token request" or "no request reached any instance".
 */

/** One CC or UAA request. */
export interface ApiLogEntry {
  server: 'cc' | 'uaa'
  method: string
  path: string
  /** Raw query string without `?` ('' when none). */
  query: string
  status: number
  /** Grant type of a token request. */
  grantType?: string
  /** Injected fault that answered it: 'error', 'rateLimit', 'unreachable'. */
  fault?: string
  at: number
}

/** One request that reached the simulated gorouter (or an internal route). */
export interface RouterLogEntry {
  /** How the request arrived: absolute-form proxy request, inside a CONNECT tunnel, or plain Host header. */
  via: 'absolute' | 'connect' | 'host'
  method: string
  host: string
  path: string
  /** The X-CF-APP-INSTANCE header as sent, or null. */
  appInstanceHeader: string | null
  /** The X-CF-PROCESS-INSTANCE header as sent, or null. */
  processInstanceHeader?: string | null
  /** `appGuid:index` of the instance that answered, or null when none did. */
  instance: string | null
  internal: boolean
  /** HTTP status, or 0 when the socket was destroyed (connection refused-like). */
  status: number
  at: number
}

/** Counter snapshot returned by `Simulator.stats()`. */
export interface SimStats {
  ccRequests: number
  uaaRequests: number
  tokenRequests: { total: number; password: number; client_credentials: number; refresh_token: number; other: number }
  routerRequests: number
  connectTunnels: number
  /** Requests answered by an instance (after router checks). */
  instanceHits: number
  /** Hits per `appGuid:index`. */
  hitsByInstance: Record<string, number>
  faultsInjected: number
}

/** What an instance last received, after the router removed X-CF-APP-INSTANCE. */
export interface InstanceRequest {
  method: string
  path: string
  headers: Record<string, string | string[] | undefined>
  at: number
}

/** A list that keeps only its newest `limit` entries. */
class BoundedLog<T> {
  private entries: T[] = []
  constructor(private readonly limit: number) {}
  push(entry: T): void {
    this.entries.push(entry)
    // trim in batches so pushing stays amortised O(1)
    if (this.entries.length > this.limit * 1.25) this.entries = this.entries.slice(-this.limit)
  }
  list(): T[] {
    return this.entries.slice(-this.limit)
  }
  clear(): void {
    this.entries = []
  }
}

/** Logs and counters of one simulator. */
export class SimRecorder {
  private readonly api: BoundedLog<ApiLogEntry>
  private readonly router: BoundedLog<RouterLogEntry>
  private counters: SimStats = SimRecorder.emptyStats()
  private readonly lastRequests = new Map<string, InstanceRequest>()

  constructor(limit = 20_000) {
    this.api = new BoundedLog(limit)
    this.router = new BoundedLog(limit)
  }

  private static emptyStats(): SimStats {
    return {
      ccRequests: 0,
      uaaRequests: 0,
      tokenRequests: { total: 0, password: 0, client_credentials: 0, refresh_token: 0, other: 0 },
      routerRequests: 0,
      connectTunnels: 0,
      instanceHits: 0,
      hitsByInstance: {},
      faultsInjected: 0,
    }
  }

  recordApi(entry: Omit<ApiLogEntry, 'at'>): void {
    this.api.push({ ...entry, at: Date.now() })
    if (entry.server === 'cc') this.counters.ccRequests++
    else this.counters.uaaRequests++
    if (entry.fault) this.counters.faultsInjected++
  }

  recordTokenRequest(grantType: string): void {
    const t = this.counters.tokenRequests
    t.total++
    if (grantType === 'password' || grantType === 'client_credentials' || grantType === 'refresh_token') t[grantType]++
    else t.other++
  }

  recordRouter(entry: Omit<RouterLogEntry, 'at'>): void {
    this.router.push({ ...entry, at: Date.now() })
    this.counters.routerRequests++
  }

  recordRouterFault(): void {
    this.counters.faultsInjected++
  }

  recordTunnel(): void {
    this.counters.connectTunnels++
  }

  recordInstanceHit(instanceId: string, request: Omit<InstanceRequest, 'at'>): void {
    this.lastRequests.set(instanceId, { ...request, at: Date.now() })
    this.counters.instanceHits++
    this.counters.hitsByInstance[instanceId] = (this.counters.hitsByInstance[instanceId] ?? 0) + 1
  }

  /** CC and UAA calls, oldest first. */
  apiLog(): ApiLogEntry[] {
    return this.api.list()
  }

  /** Router calls, oldest first. */
  routerLog(): RouterLogEntry[] {
    return this.router.list()
  }

  /** The last request an instance (`appGuid:index`) received, if any. */
  lastInstanceRequest(instanceId: string): InstanceRequest | undefined {
    return this.lastRequests.get(instanceId)
  }

  /** A copy of the counters. */
  stats(): SimStats {
    return structuredClone(this.counters)
  }

  /** Forgets logs and counters (e.g. between phases of one test). */
  clear(): void {
    this.api.clear()
    this.router.clear()
    this.lastRequests.clear()
    this.counters = SimRecorder.emptyStats()
  }
}
