/**
 * @module targets/refresh
 * The schedule of discovery, apart from what it discovers (as Prometheus's `discovery/refresh`):
 * a refresh at once, then one every `intervalMs` after the previous one ended, or after `retryMs`
 * when it failed. The timer does not keep the process alive.
 */
import type { TargetStore } from './types.ts'

export interface RefreshLoopOptions {
  /** Time between two refreshes after a successful one (ms). */
  intervalMs: number
  /** Time before the next attempt after a failed one (ms). */
  retryMs: number
}

/** Starts refreshing `store` periodically; returns the function that stops it. */
export function startRefreshLoop(store: TargetStore, options: RefreshLoopOptions): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false
  const loop = async () => {
    await store.refresh()
    if (stopped) return
    timer = setTimeout(loop, store.status().lastError ? options.retryMs : options.intervalMs)
    ;(timer as { unref?: () => void }).unref?.()
  }
  void loop()
  return () => {
    stopped = true
    clearTimeout(timer)
  }
}
