/**
 * @module http/status/model
 * What the status page shows, as plain data: discovery health, each platform entry, and one row
 * per target with its last scrape outcome. Pure, so the view and its tests work from literals;
 * it reads only the targets' display fields, whatever platform they come from.
 */
import type { TargetDisplay } from '../../model/target.ts'
import type { ScrapeOutcome } from '../../self/scrape-outcomes.ts'
import type { InvalidationCounts } from '../../targets/invalidation.ts'
import type { DiscoveryStatus, PlatformState, TargetSnapshot } from '../../targets/types.ts'

/** One target (its display fields) and how its last scrape went. */
export interface StatusRow extends Omit<TargetDisplay, 'network'> {
  id: string
  internal: boolean
  url: string
  /** `up`, `down`, or `pending` when not scraped since this process started. */
  outcome: 'up' | 'down' | 'pending'
  lastScrapeAt?: number
  durationMs?: number
  reason?: string
  error?: string
  /** Whether the row matches the filter text (non-matching rows are rendered hidden). */
  matches: boolean
}

/** Everything the page renders. */
export interface StatusView {
  version: string
  now: number
  discovery: DiscoveryStatus & { ageSeconds?: number; targets: number; apps: number; invalidations?: InvalidationCounts }
  platforms: PlatformState[]
  /** Selected apps that yield no target, with the reason. */
  problems: TargetSnapshot['problems']
  rows: StatusRow[]
  counts: { up: number; down: number; pending: number }
  query: string
  refreshSeconds: number
}

export interface StatusInput {
  version: string
  now: number
  snapshot: TargetSnapshot
  status: DiscoveryStatus
  platforms?: PlatformState[]
  invalidations?: InvalidationCounts
  outcomeOf: (id: string) => ScrapeOutcome | undefined
  query?: string
  refreshSeconds?: number
}

/** Builds the view: rows sorted by platform, owner, space, app and instance; the filter applied as `matches`. */
export function statusView(input: StatusInput): StatusView {
  const query = (input.query ?? '').trim()
  const counts = { up: 0, down: 0, pending: 0 }
  const rows = input.snapshot.targets.map((t): StatusRow => {
    const outcome = input.outcomeOf(t.id)
    const row: StatusRow = {
      id: t.id,
      platform: t.display.platform,
      owner: t.display.owner,
      space: t.display.space,
      app: t.display.app,
      instance: t.display.instance,
      route: t.display.route,
      internal: t.display.network === 'internal',
      url: t.url,
      outcome: outcome === undefined ? 'pending' : outcome.ok ? 'up' : 'down',
      matches: true,
    }
    if (outcome) {
      row.lastScrapeAt = outcome.at
      row.durationMs = outcome.durationMs
      if (!outcome.ok) {
        row.reason = outcome.reason
        row.error = outcome.error
      }
    }
    row.matches = matchesQuery(row, query)
    counts[row.outcome]++
    return row
  })
  rows.sort(
    (a, b) =>
      a.platform.localeCompare(b.platform) ||
      a.owner.localeCompare(b.owner) ||
      a.space.localeCompare(b.space) ||
      a.app.localeCompare(b.app) ||
      a.instance.localeCompare(b.instance, undefined, { numeric: true }),
  )
  const refreshedAt = input.status.refreshedAt
  return {
    version: input.version,
    now: input.now,
    discovery: {
      ...input.status,
      ageSeconds: refreshedAt === undefined ? undefined : Math.max(0, Math.round((input.now - refreshedAt) / 1000)),
      targets: input.snapshot.targets.length,
      apps: input.snapshot.apps,
      invalidations: input.invalidations,
    },
    platforms: input.platforms ?? [],
    problems: input.snapshot.problems,
    rows,
    counts,
    query,
    refreshSeconds: clampRefresh(input.refreshSeconds),
  }
}

/** The text a row is searched in; the page's script searches the rendered row the same way. */
export function rowText(row: StatusRow): string {
  return [row.platform, row.owner, row.space, row.app, row.instance, row.route, row.internal ? 'internal' : 'external', row.outcome, row.reason ?? '', row.error ?? '', row.id].join(' ')
}

/** Case-insensitive substring match of every blank-separated word of the query. */
export function matchesQuery(row: StatusRow, query: string): boolean {
  if (query === '') return true
  const text = rowText(row).toLowerCase()
  return query.toLowerCase().split(/\s+/).every((word) => text.includes(word))
}

/** Refresh period of the page in seconds: 10 unless asked otherwise, between 1 and 3600. */
export function clampRefresh(seconds: number | undefined): number {
  if (seconds === undefined || !Number.isFinite(seconds)) return 10
  return Math.min(3600, Math.max(1, Math.round(seconds)))
}
