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

  it('filters case-insensitively on every word', () => {
    expect(view('WEB timeout').rows.filter((r) => r.matches).map((r) => r.id)).toEqual([targets[1]!.id])
    expect(view('internal').rows.filter((r) => r.matches).map((r) => r.app)).toEqual([EVIL])
    expect(view('').rows.every((r) => r.matches)).toBe(true)
    expect(matchesQuery(view().rows[0]!, 'nothing-like-this')).toBe(false)
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

  it('links the endpoints and marks rows that do not match the filter hidden', () => {
    for (const href of ['/discovery', '/metrics', '/promregatorMetrics']) expect(html).toContain(`href="${href}"`)
    expect(html).toMatch(/<tr data-target="guid-3-0:0"[^>]*data-outcome="up"[^>]*>/)
    expect(html).toMatch(/<tr data-target="guid-5-0:0"[^>]*hidden/)
    expect(html).toContain('value="web"')
  })

  it('escapes every user-controlled text', () => {
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
