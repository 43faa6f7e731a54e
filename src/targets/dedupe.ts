/**
 * @module targets/dedupe
 * One target per id. Ids are unique per platform (an app GUID and an index, an app id and a
 * dyno); should two entries produce the same id, the first wins and the operator is told.
 */
import type { Logger } from '../log.ts'
import type { ScrapeTarget } from '../model/target.ts'

/** The targets without the later ones of a repeated id. */
export function uniqueTargets(targets: ScrapeTarget[], logger: Logger): ScrapeTarget[] {
  const seen = new Set<string>()
  return targets.filter((t) => {
    if (!seen.has(t.id)) {
      seen.add(t.id)
      return true
    }
    logger.warn('two instances have the same id; the second is not scraped', { id: t.id, app: t.display.app })
    return false
  })
}
