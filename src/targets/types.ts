/**
 * @module targets/types
 * The shapes of the targets stage: the picture of targets at one moment, how discovery is doing,
 * and the store that holds the picture between the platforms and everything that scrapes or
 * shows targets.
 */
import type { ScrapeTarget } from '../model/target.ts'
import type { Discovery, DiscoveryProblem, InvalidationRequest, PlatformInfo } from '../platform/types.ts'

/** Anything that discovers targets: the combined platform entries, or a test's stand-in. */
export interface TargetSource {
  discover(): Promise<Discovery>
  invalidate(request?: InvalidationRequest): void
}

/** How one platform entry's discovery is doing. */
export interface PlatformState {
  name: string
  info: PlatformInfo
  /** Last successful discovery of this entry (ms since epoch). */
  lastSuccessAt?: number
  lastError?: string
  /** Targets and apps of its last good discovery. */
  targets: number
  apps: number
}

/** The targets known at one moment. */
export interface TargetSnapshot {
  targets: ScrapeTarget[]
  byId: ReadonlyMap<string, ScrapeTarget>
  /** Apps selected over every platform entry. */
  apps: number
  /** Selected apps that yield no target, with the reason. */
  problems: DiscoveryProblem[]
  /** When this picture was taken (ms since epoch); undefined before the first success. */
  refreshedAt?: number
}

/** Status of discovery for health checks, the status page and the own metrics. */
export interface DiscoveryStatus {
  ready: boolean
  refreshedAt?: number
  lastAttemptAt?: number
  lastError?: string
  lastDurationMs?: number
  refreshing: boolean
}

/** What observers of the store are told after every refresh, successful or not. */
export interface RefreshOutcome {
  ok: boolean
  durationMs: number
  /** The picture being served after the refresh (the previous one when it failed). */
  snapshot: TargetSnapshot
}

/** Holds the last good picture of targets and refreshes it on demand. */
export interface TargetStore {
  /** The current picture; waits for the first discovery only (bounded by `firstWaitMs`). */
  current(): Promise<TargetSnapshot>
  /** The current picture without waiting. */
  peek(): TargetSnapshot
  /** Starts a refresh now (or joins the one running). */
  refresh(): Promise<void>
  /**
   * Forgets cached API results (those `request` names; all when omitted) and refreshes. A refresh
   * already running may have read them before: one more run follows it, shared by every caller meanwhile.
   */
  invalidate(request?: InvalidationRequest): Promise<void>
  status(): DiscoveryStatus
  /** Calls `listener` after every refresh; returns the function that stops it. */
  subscribe(listener: (outcome: RefreshOutcome) => void): () => void
}
