/**
 * @module targets/combine
 * Discovery over every configured platform entry, run concurrently. An entry whose API fails
 * keeps contributing its last good targets while the others refresh; only when every entry fails
 * does the run fail (and the store keeps the whole last picture). An entry's error message may
 * quote what its API answered, credentials included: it passes `redact` before it is kept.
 */
import type { Logger } from '../log.ts'
import type { Discovery, Platform } from '../platform/types.ts'
import type { PlatformState, TargetSource } from './types.ts'

/** The combined entries, with the state of each for the status page and the own metrics. */
export interface CombinedPlatforms extends TargetSource {
  states(): PlatformState[]
  /** The shortest refresh interval any entry wants (ms). */
  readonly refreshIntervalMs: number
}

/** Combines the platform entries into one source of targets. */
export function combinePlatforms(platforms: Platform[], options: { logger: Logger; now?: () => number; redact?: (text: string) => string }): CombinedPlatforms {
  const now = options.now ?? Date.now
  const redact = options.redact ?? ((text: string) => text)
  const several = platforms.length > 1
  const entries = platforms.map((platform) => ({ platform, last: undefined as Discovery | undefined, lastSuccessAt: undefined as number | undefined, lastError: undefined as string | undefined }))
  return {
    refreshIntervalMs: Math.min(...platforms.map((p) => p.refreshIntervalMs)),
    async discover() {
      const outcomes = await Promise.allSettled(entries.map((e) => e.platform.discover()))
      const errors: string[] = []
      outcomes.forEach((outcome, i) => {
        const entry = entries[i]!
        if (outcome.status === 'fulfilled') {
          entry.last = outcome.value
          entry.lastSuccessAt = now()
          entry.lastError = undefined
          return
        }
        const message = redact((outcome.reason as Error)?.message ?? String(outcome.reason))
        entry.lastError = message
        errors.push(several ? `${entry.platform.name}: ${message}` : message)
        if (several) {
          options.logger.error(entry.last ? 'discovery of a foundation failed; serving its last known targets' : 'discovery of a foundation failed; none of its targets are known yet', {
            foundation: entry.platform.name,
            error: message,
          })
        }
      })
      if (errors.length === entries.length && entries.length > 0) throw new Error(errors.join('; '))
      const combined: Discovery = { targets: [], apps: 0, problems: [] }
      for (const { last } of entries) {
        if (!last) continue
        for (const target of last.targets) combined.targets.push(target)
        combined.apps += last.apps
        combined.problems.push(...last.problems)
      }
      return combined
    },
    invalidate(request) {
      for (const { platform } of entries) platform.invalidate(request)
    },
    states: () =>
      entries.map((e) => ({
        name: e.platform.name,
        info: e.platform.info(),
        lastSuccessAt: e.lastSuccessAt,
        lastError: e.lastError,
        targets: e.last?.targets.length ?? 0,
        apps: e.last?.apps ?? 0,
      })),
  }
}
