/**
 * A body the scraper marked as not UTF-8 is no exposition in either format (Prometheus rejects it):
 * on `/metrics` and `/singleTargetMetrics` the instance counts as down with a parse error, and none
 * of its lines reach the answer.
 */
import { describe, expect, it } from 'vitest'
import { mergedBody, prepareForMerge, singleTargetBody } from '../../src/aggregate/bodies.ts'
import type { ScrapeTarget } from '../../src/model/target.ts'
import type { ScrapeResult } from '../../src/scrape/types.ts'

const target: ScrapeTarget = {
  id: 'g:0',
  url: 'http://shop.example/metrics',
  headers: {},
  labels: { app_name: 'shop' },
  discoveryLabels: {},
  display: { platform: '', owner: 'o', space: 's', app: 'shop', instance: '0', route: 'shop.example', network: 'external' },
}
const notUtf8: ScrapeResult = { ok: true, target, format: 'text', body: 'metric{l="\uFFFD"} 3.14\n', invalidUtf8: true, durationMs: 2, bytes: 20 }

describe('a body that is not UTF-8', () => {
  it('is a parse error on /metrics: the instance is down, nothing of it merged', () => {
    const input = prepareForMerge(notUtf8)
    expect(input.parseError).toBe('body is not valid UTF-8')
    const merged = mergedBody([input], 'text')
    expect(merged.parseErrors).toEqual([{ id: 'g:0', message: 'body is not valid UTF-8' }])
    expect(merged.body).toContain('promregator_up{app_name="shop"} 0')
    expect(merged.body).not.toContain('metric{')
  })

  it('is the instance down on /singleTargetMetrics, however the scraper asked', () => {
    for (const enrich of [false, true]) {
      const answer = singleTargetBody(notUtf8, 'text/plain;version=0.0.4', enrich)
      expect(answer.parseError).toBe('body is not valid UTF-8')
      expect(answer.body).toMatch(/promregator_up(\{app_name="shop"\})? 0/)
      expect(answer.body).not.toContain('metric{')
    }
  })
})
