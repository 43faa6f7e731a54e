/**
 * The status page in a real headless browser (Debian chromium driven by playwright-core)
 * against the simulator: every target row with its outcome, the filter, the in-place refresh,
 * HTML in app names shown as text (never run), a phone-sized layout, and screenshots saved
 * under test-artifacts/.
 */
import { serve, type ServerType } from '@hono/node-server'
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { missing } from '../support/requirements.ts'
import { simConfig } from '../support/sim-config.ts'
import { startSimulator, type Simulator } from '../support/simulator/index.ts'
import { assembleFrom, type Harness } from '../http/harness.ts'
import { existsSync } from 'node:fs'
import { singleTargetPath } from '../../src/model/target.ts'

const CHROMIUM = '/usr/bin/chromium'
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname
const EVIL = `<img src=x onerror="alert('xss')">"quoted"\\back`
const skip = missing([{ name: 'chromium', present: existsSync(CHROMIUM), hint: 'apt-get install chromium' }])

let sim: Simulator
let h: Harness
let server: ServerType
let base: string
let context: BrowserContext
let userDataDir: string

beforeAll(async () => {
  if (skip) return
  sim = await startSimulator({
    orgs: [
      {
        name: 'acme',
        spaces: [
          {
            name: 'dev',
            apps: [
              { name: 'web-shop', instances: 2, routes: [{ host: 'web-shop' }] },
              { name: 'checkout', instances: 2, instanceStates: ['RUNNING', 'CRASHED'], routes: [{ host: 'checkout' }] },
              { name: EVIL, instances: 1, routes: [{ host: 'evil' }] },
            ],
          },
          { name: 'prod', apps: [{ name: 'billing', instances: 1, routes: [{ host: 'billing' }] }] },
        ],
      },
    ],
  })
  h = assembleFrom(simConfig(sim, '  targets:\n    - { orgName: acme, spaceRegex: ".*", applicationRegex: ".*", protocol: http }'))
  await h.targets.current()
  // Scrape all but billing, so one row is still "not scraped yet".
  for (const t of h.targets.peek().targets) if (t.display.app !== 'billing') await h.app.request(singleTargetPath(t))
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  userDataDir = mkdtempSync(join(tmpdir(), 'promregator-chromium-'))
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  mkdirSync(ARTIFACTS, { recursive: true })
}, 60_000)

afterAll(async () => {
  await context?.close()
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true })
  await new Promise((r) => (server ? server.close(r) : r(undefined)))
  h?.stop()
  await sim?.close()
})

async function openPage(viewport: { width: number; height: number }): Promise<{ page: Page; dialogs: string[]; errors: string[] }> {
  const page = await context.newPage()
  await page.setViewportSize(viewport)
  const dialogs: string[] = []
  const errors: string[] = []
  page.on('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  await page.goto(`${base}/?refresh=1`)
  return { page, dialogs, errors }
}

describe.skipIf(skip)('status page in chromium', () => {
  it('shows every target with its outcome, filters, refreshes itself, and escapes names', async () => {
    const { page, dialogs, errors } = await openPage({ width: 1280, height: 900 })
    const expected = h.targets.peek().targets.map((t) => ({
      id: t.id,
      outcome: t.display.app === 'billing' ? 'pending' : t.display.app === 'checkout' && t.display.instance === '1' ? 'down' : 'up',
    }))
    expect(expected).toHaveLength(6)
    for (const { id, outcome } of expected) {
      const row = page.locator(`tr[data-target="${id}"]`)
      await expect.poll(() => row.getAttribute('data-outcome')).toBe(outcome)
      await expect.poll(() => row.isVisible()).toBe(true)
    }
    const down = page.locator('tr[data-outcome="down"] td.error')
    expect(await down.textContent()).toMatch(/^unknown_route: /)
    // The HTML in the app name is text on the page, not markup.
    const evilCell = page.locator('td.app', { hasText: 'onerror' })
    expect(await evilCell.textContent()).toBe(EVIL)
    expect(await page.locator('#targets tbody img').count()).toBe(0)
    expect(await page.locator('a[href="/discovery"]').count()).toBe(1)
    expect(await page.locator('a[href="/metrics"]').count()).toBe(1)
    expect(await page.locator('a[href="/promregatorMetrics"]').count()).toBe(1)

    await page.fill('#filter', 'checkout')
    await expect.poll(() => page.locator('#targets tbody tr:visible').count()).toBe(2)
    expect(await page.locator('#shown').textContent()).toBe('2')
    expect(new URL(page.url()).searchParams.get('q')).toBe('checkout')
    await page.fill('#filter', 'CHECKOUT unknown_route')
    await expect.poll(() => page.locator('#targets tbody tr:visible').count()).toBe(1)
    await page.fill('#filter', 'billing')
    await expect.poll(() => page.locator('#targets tbody tr:visible').count()).toBe(1)

    // A scrape happens; the page refreshes in place (no navigation) and keeps the filter.
    const billing = h.targets.peek().targets.find((t) => t.display.app === 'billing')!
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42))
    await h.app.request(singleTargetPath(billing))
    await expect.poll(() => page.locator(`tr[data-target="${billing.id}"]`).getAttribute('data-outcome'), { timeout: 10_000 }).toBe('up')
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42)
    expect(await page.inputValue('#filter')).toBe('billing')
    expect(await page.locator('#targets tbody tr:visible').count()).toBe(1)

    await page.fill('#filter', '')
    await page.screenshot({ path: join(ARTIFACTS, 'status-page.png'), fullPage: true, caret: 'initial' }) // the default caret hiding injects a style our CSP (rightly) blocks
    expect(statSync(join(ARTIFACTS, 'status-page.png')).size).toBeGreaterThan(1000)
    expect(dialogs).toEqual([])
    expect(errors).toEqual([])
    await page.close()
  }, 60_000)

  it('pages on the server, problems first, and filters over every page', async () => {
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${base}/?size=2&refresh=1`)
    // Two rows a page: the instance that is down comes first.
    expect(await page.locator('#targets tbody tr').count()).toBe(2)
    expect(await page.locator('#targets tbody tr').first().getAttribute('data-outcome')).toBe('down')
    expect(await page.locator('#pager').textContent()).toContain('page 1 of 3')
    const seen = new Set(await page.locator('#targets tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-target'))))
    await page.click('#pager a[rel="next"]')
    await expect.poll(() => page.locator('#pager').textContent()).toContain('page 2 of 3')
    for (const id of await page.locator('#targets tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-target')))) {
      expect(seen.has(id)).toBe(false)
      seen.add(id)
    }
    await page.click('#pager a[rel="next"]')
    await expect.poll(() => page.locator('#pager').textContent()).toContain('page 3 of 3')
    for (const id of await page.locator('#targets tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-target')))) seen.add(id)
    expect(seen.size).toBe(6) // every target on exactly one page
    // A filter answers from every page, not only the rows in view: the server sends the matching ones.
    const onThisPage = await page.locator('#targets tbody tr').evaluateAll((rows) => rows.map((r) => r.textContent ?? ''))
    const elsewhere = h.targets.peek().targets.find((t) => !onThisPage.some((text) => text.includes(t.display.app)) && t.display.app !== EVIL)!
    await page.fill('#filter', elsewhere.display.app)
    await expect.poll(() => page.locator(`tr[data-target="${elsewhere.id}"]`).isVisible(), { timeout: 10_000 }).toBe(true)
    expect(new URL(page.url()).searchParams.get('page')).toBeNull()
    // Counts per space over every target, the space with an instance down first; a space's link filters to it.
    await page.goto(`${base}/?size=2&refresh=1`)
    expect(await page.locator('#groups summary').textContent()).toContain('2 spaces with matching instances (5 up, 1 down, 0 not scraped yet)')
    expect(await page.locator('#groups tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)))).toEqual([
      ['acme', 'dev', '4', '1', '0'],
      ['acme', 'prod', '1', '0', '0'],
    ])
    await page.click('#groups a:text-is("prod")')
    await expect.poll(() => page.locator('#targets tbody tr').evaluateAll((rows) => rows.map((r) => r.querySelector('td.app')?.textContent))).toEqual(['billing'])
    expect(new URL(page.url()).searchParams.get('q')).toBe('acme prod')
    expect(errors).toEqual([])
    await page.close()
  }, 60_000)

  it('is readable on a phone: rows become cards, nothing scrolls sideways', async () => {
    const { page, errors } = await openPage({ width: 390, height: 844 })
    const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }))
    expect(widths.doc).toBeLessThanOrEqual(widths.view)
    expect(await page.locator('#targets thead').isVisible()).toBe(false)
    expect(await page.locator('#targets tbody tr').count()).toBe(6)
    await page.screenshot({ path: join(ARTIFACTS, 'status-page-phone.png'), fullPage: true, caret: 'initial' }) // the default caret hiding injects a style our CSP (rightly) blocks
    expect(statSync(join(ARTIFACTS, 'status-page-phone.png')).size).toBeGreaterThan(1000)
    expect(errors).toEqual([])
    await page.close()
  }, 60_000)
})
