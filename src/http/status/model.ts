/**
 * @module http/status/model
 * What the status page shows, as plain data: discovery health, each platform entry, totals, and
 * one page of rows (a target with its last scrape outcome), problems first, filtered on the server. Pure, so the view and its tests work from literals;
 * it reads only the targets' display fields, whatever platform they come from.
 */
import type { ScrapeTarget, TargetDisplay } from '../../model/target.ts'
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
}

/** Which rows of the matching ones this answer holds. */
export interface StatusPageInfo {
  /** 1-based. */
  number: number
  size: number
  pages: number
}

/** Counts of the matching instances of one space (Cloud Foundry) or Private Space (Heroku). */
export interface StatusGroup {
  platform: string
  owner: string
  space: string
  up: number
  down: number
  pending: number
}

/** Everything the page renders. */
export interface StatusView {
  version: string
  now: number
  discovery: DiscoveryStatus & { ageSeconds?: number; targets: number; apps: number; invalidations?: InvalidationCounts }
  platforms: PlatformState[]
  /** Selected apps that yield no target, with the reason: the first {@link MAX_PROBLEMS}. */
  problems: TargetSnapshot['problems']
  /** How many selected apps yield no target, all told. */
  problemCount: number
  /** The rows of this page: problems first (down, then not scraped yet), then by platform, owner, space, app, instance. */
  rows: StatusRow[]
  /** Over all targets, whatever the filter. */
  counts: { up: number; down: number; pending: number }
  /** Targets that match the filter, on all pages. */
  matching: number
  /** The same as {@link counts}, over the targets that match the filter. */
  matchingCounts: { up: number; down: number; pending: number }
  /** Matching instances per space: the {@link MAX_GROUPS} with most problems (down, then not scraped), and how many spaces match in all. */
  groups: { rows: StatusGroup[]; total: number }
  page: StatusPageInfo
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
  /** 1-based page of the matching rows; default 1. */
  page?: number
  /** Rows per page; default {@link DEFAULT_PAGE_SIZE}, at most {@link MAX_PAGE_SIZE}. */
  pageSize?: number
}

/** Rows per page unless asked otherwise; the answer stays a few hundred KB at any number of targets. */
export const DEFAULT_PAGE_SIZE = 100
export const MAX_PAGE_SIZE = 1000

/** Spaces listed with their counts: the ones with most problems. */
export const MAX_GROUPS = 20
/** Selected apps without a target listed by name (all are counted). */
export const MAX_PROBLEMS = 100

const OUTCOME_ORDER = { down: 0, pending: 1, up: 2 } as const
const OUTCOMES = ['down', 'pending', 'up'] as const

/**
 * Builds the view of one page. Counting, filtering and ordering walk the targets without building
 * anything per target but an index; rows are built for the page's targets only, so the answer (and
 * what is built for it) is bounded by the page size, not by the number of targets (100,000 targets:
 * one page of 100 rows, where the whole table was 58 MB of HTML).
 */
export function statusView(input: StatusInput): StatusView {
  const query = (input.query ?? '').trim()
  const words = query === '' ? [] : query.toLowerCase().split(/\s+/)
  const targets = input.snapshot.targets
  const counts = { up: 0, down: 0, pending: 0 }
  const outcomeOfIndex = new Uint8Array(targets.length)
  const matchingIndexes: number[] = []
  targets.forEach((t, i) => {
    const outcome = outcomeKind(input.outcomeOf(t.id))
    counts[outcome]++
    outcomeOfIndex[i] = OUTCOME_ORDER[outcome]
    if (words.length === 0 || matchesWords(searchText(t.id, t.display, outcome, input.outcomeOf(t.id)), words)) matchingIndexes.push(i)
  })
  matchingIndexes.sort((a, b) => outcomeOfIndex[a]! - outcomeOfIndex[b]! || compareDisplay(targets[a]!.display, targets[b]!.display))
  const size = clampPageSize(input.pageSize)
  const pages = Math.max(1, Math.ceil(matchingIndexes.length / size))
  const number = Math.min(pages, Math.max(1, Math.floor(input.page ?? 1) || 1))
  const rows = matchingIndexes.slice((number - 1) * size, number * size).map((i) => rowOf(targets[i]!, input.outcomeOf(targets[i]!.id)))
  const refreshedAt = input.status.refreshedAt
  return {
    version: input.version,
    now: input.now,
    discovery: {
      ...input.status,
      ageSeconds: refreshedAt === undefined ? undefined : Math.max(0, Math.round((input.now - refreshedAt) / 1000)),
      targets: targets.length,
      apps: input.snapshot.apps,
      invalidations: input.invalidations,
    },
    platforms: input.platforms ?? [],
    problems: input.snapshot.problems.slice(0, MAX_PROBLEMS),
    problemCount: input.snapshot.problems.length,
    rows,
    counts,
    matching: matchingIndexes.length,
    ...groupCounts(targets, matchingIndexes, outcomeOfIndex),
    page: { number, size, pages },
    query,
    refreshSeconds: clampRefresh(input.refreshSeconds),
  }
}

/**
 * Counts per space of the matching targets, and over all of them. The map holds one entry per
 * space (500 at 100,000 instances in bench/scale.ts), not per target.
 */
function groupCounts(targets: readonly ScrapeTarget[], matching: readonly number[], outcomeOfIndex: Uint8Array): Pick<StatusView, 'groups' | 'matchingCounts'> {
  const groups = new Map<string, StatusGroup>()
  const matchingCounts = { up: 0, down: 0, pending: 0 }
  for (const i of matching) {
    const { platform, owner, space } = targets[i]!.display
    const key = `${platform}\u0000${owner}\u0000${space}`
    let group = groups.get(key)
    if (!group) groups.set(key, (group = { platform, owner, space, up: 0, down: 0, pending: 0 }))
    const outcome = OUTCOMES[outcomeOfIndex[i]!]!
    group[outcome]++
    matchingCounts[outcome]++
  }
  const rows = [...groups.values()]
    .sort((a, b) => b.down - a.down || b.pending - a.pending || collator.compare(a.platform, b.platform) || collator.compare(a.owner, b.owner) || collator.compare(a.space, b.space))
    .slice(0, MAX_GROUPS)
  return { groups: { rows, total: groups.size }, matchingCounts }
}

function outcomeKind(outcome: ScrapeOutcome | undefined): StatusRow['outcome'] {
  return outcome === undefined ? 'pending' : outcome.ok ? 'up' : 'down'
}

/** One collator for every comparison: `localeCompare` with options builds one per call. */
const collator = new Intl.Collator(undefined, { numeric: true })

function compareDisplay(a: TargetDisplay, b: TargetDisplay): number {
  return (
    collator.compare(a.platform, b.platform) ||
    collator.compare(a.owner, b.owner) ||
    collator.compare(a.space, b.space) ||
    collator.compare(a.app, b.app) ||
    collator.compare(a.instance, b.instance)
  )
}

function rowOf(t: ScrapeTarget, outcome: ScrapeOutcome | undefined): StatusRow {
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
    outcome: outcomeKind(outcome),
  }
  if (outcome) {
    row.lastScrapeAt = outcome.at
    row.durationMs = outcome.durationMs
    if (!outcome.ok) {
      row.reason = outcome.reason
      row.error = outcome.error
    }
  }
  return row
}

/** Rows per page: {@link DEFAULT_PAGE_SIZE} unless asked otherwise, between 1 and {@link MAX_PAGE_SIZE}. */
export function clampPageSize(size: number | undefined): number {
  if (size === undefined || !Number.isFinite(size)) return DEFAULT_PAGE_SIZE
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.round(size)))
}

/** The text a target is searched in: its display fields, network, outcome, failure and id. */
function searchText(id: string, d: TargetDisplay, outcome: StatusRow['outcome'], last: ScrapeOutcome | undefined): string {
  const failure = last && !last.ok ? `${last.reason ?? ''} ${last.error ?? ''}` : ''
  return `${d.platform} ${d.owner} ${d.space} ${d.app} ${d.instance} ${d.route} ${d.network} ${outcome} ${failure} ${id}`.toLowerCase()
}

/** The text a row is searched in; the page's script searches the rendered row the same way. */
export function rowText(row: StatusRow): string {
  return [row.platform, row.owner, row.space, row.app, row.instance, row.route, row.internal ? 'internal' : 'external', row.outcome, row.reason ?? '', row.error ?? '', row.id].join(' ')
}

/** Case-insensitive substring match of every blank-separated word of the query. */
export function matchesQuery(row: StatusRow, query: string): boolean {
  if (query.trim() === '') return true
  return matchesWords(rowText(row).toLowerCase(), query.toLowerCase().trim().split(/\s+/))
}

function matchesWords(text: string, words: string[]): boolean {
  return words.every((word) => text.includes(word))
}

/** Refresh period of the page in seconds: 10 unless asked otherwise, between 1 and 3600. */
export function clampRefresh(seconds: number | undefined): number {
  if (seconds === undefined || !Number.isFinite(seconds)) return 10
  return Math.min(3600, Math.max(1, Math.round(seconds)))
}
