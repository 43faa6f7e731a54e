/**
 * The scrape slots are shared fairly between callers: a scrape of its own (as
 * `/singleTargetMetrics` asks) waits for at most one scrape per slot of a batch queued before it
 * (as `/metrics` queues one per instance), not for the whole batch; each caller's scrapes start in
 * arrival order, and never more than the cap run at once.
 */
import { describe, expect, it } from 'vitest'
import type { ScrapeTarget } from '../../src/model/target.ts'
import { limitConcurrency } from '../../src/scrape/limits.ts'
import type { ScrapeResult, Scraper } from '../../src/scrape/types.ts'

/** A scraper whose scrapes end only when the test says so; it records the order they started in. */
function heldScraper() {
  const started: string[] = []
  const running = new Map<string, () => void>()
  let inFlight = 0
  let maxInFlight = 0
  const scraper: Scraper = {
    scrape: (target) =>
      new Promise<ScrapeResult>((resolve) => {
        started.push(target.id)
        maxInFlight = Math.max(maxInFlight, ++inFlight)
        running.set(target.id, () => {
          inFlight--
          resolve({ ok: true, target, body: '', format: 'text', durationMs: 0, bytes: 0 })
        })
      }),
  }
  const finish = async (id: string) => {
    running.get(id)!()
    running.delete(id)
    await new Promise((r) => setTimeout(r, 0))
  }
  return { scraper, started, finish, maxInFlight: () => maxInFlight }
}

const target = (id: string) => ({ id }) as ScrapeTarget

describe('limitConcurrency', () => {
  it('lets a single scrape in after at most one scrape per slot of a batch queued before it', async () => {
    const held = heldScraper()
    const limited = limitConcurrency(held.scraper, 2)
    const batch = {}
    const batchDone = Promise.all(Array.from({ length: 10 }, (_, i) => limited.scrape(target(`m${i}`), undefined, { caller: batch })))
    const single = limited.scrape(target('single'))
    expect(held.started).toEqual(['m0', 'm1'])
    expect(limited.pendingCount()).toBe(9)
    // The batch had the next turn already; the single scrape has the one after it.
    await held.finish('m0')
    expect(held.started).toEqual(['m0', 'm1', 'm2'])
    await held.finish('m1')
    expect(held.started).toEqual(['m0', 'm1', 'm2', 'single'])
    await held.finish('single')
    expect((await single).ok).toBe(true)
    for (let i = 2; i < 10; i++) await held.finish(`m${i}`)
    await batchDone
    expect(held.started).toEqual(['m0', 'm1', 'm2', 'single', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9'])
    expect(held.maxInFlight()).toBe(2)
    expect(limited.activeCount() + limited.pendingCount()).toBe(0)
  })

  it('alternates between two batches, each in its own order', async () => {
    const held = heldScraper()
    const limited = limitConcurrency(held.scraper, 1)
    const a = {}
    const b = {}
    const all = Promise.all([
      ...['a0', 'a1', 'a2'].map((id) => limited.scrape(target(id), undefined, { caller: a })),
      ...['b0', 'b1'].map((id) => limited.scrape(target(id), undefined, { caller: b })),
    ])
    // a0 started alone, and a had the next turn before b arrived; from then on they alternate.
    for (const id of ['a0', 'a1', 'b0', 'a2', 'b1']) await held.finish(id)
    await all
    expect(held.started).toEqual(['a0', 'a1', 'b0', 'a2', 'b1'])
    expect(held.maxInFlight()).toBe(1)
  })
})
