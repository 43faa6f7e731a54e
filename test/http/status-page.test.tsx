/**
 * The status page's model and view from literals: rows, counts, the filter, discovery health,
 * and escaping of every user-controlled text (names, routes, error messages).
 */
import { describe, expect, it } from 'vitest'
import type { DiscoveryStatus, TargetSnapshot } from '../../src/targets/types.ts'
import type { ScrapeTarget } from '../../src/model/target.ts'
import { clampRefresh, matchesQuery, statusView } from '../../src/http/status/model.ts'
import { renderStatusPage } from '../../src/http/status/page.tsx'
import type { ScrapeOutcome } from '../../src/self/scrape-outcomes.ts'

const EVIL = `we"ird\\app\n<script>alert(1)</script>&amp;`

function target(app: string, index: number, display: Partial<ScrapeTarget['display']> = {}): ScrapeTarget {
  const appGuid = `guid-${app.length}-${index}`
  return {
    id: `${appGuid}:${index}`,
    url: `http://${app}.apps.example/metrics`,
    headers: {},
    labels: { org_name: 'acme', space_name: 'dev', app_name: app, cf_instance_id: `${appGuid}:${index}`, cf_instance_number: String(index) },
    discoveryLabels: {},
    display: { platform: '', owner: 'acme', space: 'dev', app, instance: String(index), route: `${app}.apps.example`, network: 'external', ...display },
  }
}

const targets = [target('web', 0), target('web', 1), target(EVIL, 0, { network: 'internal', route: 'evil.apps.internal' }), target('batch', 0)]
const snapshot: TargetSnapshot = { targets, byId: new Map(targets.map((t) => [t.id, t])), apps: 0, problems: [], refreshedAt: 1_000_000 }
const status: DiscoveryStatus = { ready: true, refreshedAt: 1_000_000, lastAttemptAt: 1_010_000, lastError: `CC said <b>"no"</b>`, lastDurationMs: 42, refreshing: false }
const outcomes = new Map<string, ScrapeOutcome>([
  [targets[0]!.id, { ok: true, at: 1_020_000, durationMs: 12.4, bytes: 100 }],
  [targets[1]!.id, { ok: false, at: 1_020_000, durationMs: 3000, bytes: 0, reason: 'timeout', error: 'timed out after 3000 ms' }],
  [targets[2]!.id, { ok: false, at: 1_020_000, durationMs: 5, bytes: 0, reason: 'http_status', error: `target answered "<img src=x onerror=alert(2)>"` }],
])

const view = (query?: string) => statusView({ version: 'v<1>', now: 1_030_000, snapshot, status, outcomeOf: (id) => outcomes.get(id), query })

describe('status model', () => {
  it('has one row per target with its outcome and counts them', () => {
    const v = view()
    expect(v.rows).toHaveLength(4)
    expect(v.counts).toEqual({ up: 1, down: 2, pending: 1 })
    expect(v.discovery.ageSeconds).toBe(30)
    const web1 = v.rows.find((r) => r.id === targets[1]!.id)!
    expect(web1).toMatchObject({ outcome: 'down', reason: 'timeout', durationMs: 3000, internal: false, route: 'web.apps.example' })
    expect(v.rows.find((r) => r.app === 'batch')!.outcome).toBe('pending')
  })

  it('filters case-insensitively on every word, over all targets, keeping the totals', () => {
    expect(view('WEB timeout').rows.map((r) => r.id)).toEqual([targets[1]!.id])
    expect(view('internal').rows.map((r) => r.app)).toEqual([EVIL])
    expect(view('WEB timeout')).toMatchObject({ matching: 1, counts: { up: 1, down: 2, pending: 1 } })
    expect(view('').rows).toHaveLength(4)
    expect(matchesQuery(view().rows[0]!, 'nothing-like-this')).toBe(false)
  })

  it('puts problems first: down, then not scraped yet, then up', () => {
    expect(view().rows.map((r) => r.outcome)).toEqual(['down', 'down', 'pending', 'up'])
  })

  it('answers one page at a time, and builds rows for that page only', () => {
    const many = Array.from({ length: 2500 }, (_, i) => ({ ...target(`app-${String(i).padStart(4, '0')}`, 0), id: `g${i}:0` }))
    const big: TargetSnapshot = { targets: many, byId: new Map(many.map((t) => [t.id, t])), apps: many.length, problems: [], refreshedAt: 1_000_000 }
    const down = new Set([many[1800]!.id])
    const outcomeOf = (id: string): ScrapeOutcome | undefined => (down.has(id) ? { ok: false, at: 1, durationMs: 1, bytes: 0, reason: 'timeout', error: 'late' } : { ok: true, at: 1, durationMs: 1, bytes: 1 })
    const page = (n?: number, size?: number, query?: string) => statusView({ version: 'v', now: 1_030_000, snapshot: big, status, outcomeOf, page: n, pageSize: size, query })
    const first = page()
    expect(first.rows).toHaveLength(100)
    expect(first.page).toEqual({ number: 1, size: 100, pages: 25 })
    expect(first.rows[0]!.app).toBe('app-1800') // the one that is down comes first
    expect(page(25).rows).toHaveLength(100)
    expect(page(99).page.number).toBe(25) // past the end: the last page
    expect(page(2, 1000).rows).toHaveLength(1000)
    expect(page(1, 5000).page.size).toBe(1000)
    expect(page(1, 100, 'app-00').matching).toBe(100)
    // The HTML holds the page, not the table of every target.
    expect(renderStatusPage(first, 'n').length).toBeLessThan(150_000)
  })

  it('counts the matching instances per space, spaces with most problems first, at most 20 listed', () => {
    const spread = Array.from({ length: 30 }, (_, space) => Array.from({ length: 3 }, (_, i) => ({ ...target(`app-${space}`, i, { owner: `org-${space % 3}`, space: `space-${space}` }), id: `s${space}:${i}` }))).flat()
    const snap: TargetSnapshot = { targets: spread, byId: new Map(spread.map((t) => [t.id, t])), apps: 30, problems: [], refreshedAt: 1_000_000 }
    // space-7: two down; space-12: one down; space-3: one not scraped yet; everything else up.
    const down = new Set(['s7:0', 's7:2', 's12:1'])
    const outcomeOf = (id: string): ScrapeOutcome | undefined => (id === 's3:0' ? undefined : down.has(id) ? { ok: false, at: 1, durationMs: 1, bytes: 0, reason: 'timeout', error: 'late' } : { ok: true, at: 1, durationMs: 1, bytes: 1 })
    const v = statusView({ version: 'v', now: 1_030_000, snapshot: snap, status, outcomeOf })
    expect(v.groups.total).toBe(30)
    expect(v.groups.rows).toHaveLength(20)
    expect(v.groups.rows.slice(0, 3)).toEqual([
      { platform: '', owner: 'org-1', space: 'space-7', up: 1, down: 2, pending: 0 },
      { platform: '', owner: 'org-0', space: 'space-12', up: 2, down: 1, pending: 0 },
      { platform: '', owner: 'org-0', space: 'space-3', up: 2, down: 0, pending: 1 },
    ])
    expect(v.matchingCounts).toEqual({ up: 86, down: 3, pending: 1 })
    // The filter narrows the groups and their counts; the totals stay.
    const org1 = statusView({ version: 'v', now: 1_030_000, snapshot: snap, status, outcomeOf, query: 'org-1' })
    expect(org1.groups.total).toBe(10)
    expect(org1.matchingCounts).toEqual({ up: 28, down: 2, pending: 0 })
    expect(org1.counts).toEqual({ up: 86, down: 3, pending: 1 })
    const html = renderStatusPage(v, 'n')
    expect(html).toContain('By space: 30 spaces with matching instances (86 up, 3 down, 1 not scraped yet); the 20 with most problems')
    expect(html).toContain('href="/?q=org-1+space-7&amp;refresh=10"')
  })

  it('lists the first 100 apps that yield no target and counts them all', () => {
    const problems = Array.from({ length: 250 }, (_, i) => ({ where: 'acme/dev', app: `no-route-${i}`, reason: 'no route' }))
    const v = statusView({ version: 'v', now: 1_030_000, snapshot: { ...snapshot, problems }, status, outcomeOf: (id) => outcomes.get(id) })
    expect(v.problemCount).toBe(250)
    expect(v.problems).toHaveLength(100)
    expect(renderStatusPage(v, 'n')).toContain('250 selected apps are not scraped (the first 100 listed)')
  })

  it('bounds the refresh period', () => {
    expect(clampRefresh(undefined)).toBe(10)
    expect(clampRefresh(0)).toBe(1)
    expect(clampRefresh(99999)).toBe(3600)
    expect(clampRefresh(Number.NaN)).toBe(10)
  })
})

describe('status page HTML', () => {
  const html = renderStatusPage(view('web'), 'n0nce')

  it('links the endpoints and holds only the rows that match the filter', () => {
    for (const href of ['/discovery', '/metrics', '/promregatorMetrics']) expect(html).toContain(`href="${href}"`)
    expect(html).toMatch(/<tr data-target="guid-3-0:0"[^>]*data-outcome="up"[^>]*>/)
    expect(html).not.toContain('data-target="guid-5-0:0"')
    expect(html).toContain('value="web"')
  })

  it('escapes every user-controlled text', () => {
    // Unfiltered: the rows with the names and errors in question are on the page.
    const html = renderStatusPage(view(), 'n0nce')
    expect(html).not.toContain('<script>alert(1)')
    expect(html).not.toContain('<img src=x')
    expect(html).not.toContain('<b>"no"</b>')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;')
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;')
    expect(html).toContain('CC said &lt;b&gt;&quot;no&quot;&lt;/b&gt;')
    // Exactly one script element: the constant one with the nonce.
    expect(html.match(/<script/g)).toHaveLength(1)
    expect(html).toContain('<script nonce="n0nce">')
  })
})
