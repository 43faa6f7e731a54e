/**
 * The target cache with a controllable discoverer: invalidation while a refresh runs, one shared
 * run for concurrent callers, answers from the current picture during a refresh, duplicate ids;
 * plus the pure readers of annotations and of `/cache/invalidate` queries.
 */
import { describe, expect, it } from 'vitest'
import { readAnnotations } from '../../src/discovery/annotations.ts'
import { createTargetCache } from '../../src/discovery/cache.ts'
import { classesToInvalidate } from '../../src/discovery/invalidate.ts'
import type { DiscoveredApp, ResourceClass } from '../../src/discovery/types.ts'
import type { ScrapeTarget } from '../../src/routing/classify.ts'
import { recordingLogger } from './helpers.ts'

function controllable() {
  const pending: Array<(apps: DiscoveredApp[]) => void> = []
  const invalidated: Array<readonly ResourceClass[] | undefined> = []
  let runs = 0
  return {
    pending,
    invalidated,
    runs: () => runs,
    discoverer: {
      discover: () => {
        runs++
        return new Promise<DiscoveredApp[]>((resolve) => pending.push(resolve))
      },
      invalidate: (classes?: readonly ResourceClass[]) => void invalidated.push(classes),
    },
  }
}

const app = (guid: string, instances = 1) => ({ appGuid: guid, appName: guid, instances }) as DiscoveredApp
const toTargets = (apps: DiscoveredApp[]) =>
  apps.flatMap((a) => Array.from({ length: a.instances }, (_, i) => ({ id: `${a.appGuid}:${i}`, appGuid: a.appGuid, index: i, appName: a.appName }) as ScrapeTarget))
const settle = () => new Promise((r) => setTimeout(r, 0))

describe('target cache', () => {
  it('answers from the current picture while a refresh runs', async () => {
    const d = controllable()
    const cache = createTargetCache({ discoverer: d.discoverer, toTargets, intervalMs: 1000, logger: recordingLogger() })
    const first = cache.current()
    d.pending.shift()!([app('a')])
    expect((await first).targets.map((t) => t.id)).toEqual(['a:0'])
    const refresh = cache.refresh()
    expect(cache.status().refreshing).toBe(true)
    expect((await cache.current()).targets.map((t) => t.id)).toEqual(['a:0'])
    d.pending.shift()!([app('a'), app('b')])
    await refresh
    expect((await cache.current()).targets.map((t) => t.id)).toEqual(['a:0', 'b:0'])
  })

  it('shares one run between concurrent refreshes and follows an invalidation during a run with exactly one more', async () => {
    const d = controllable()
    const cache = createTargetCache({ discoverer: d.discoverer, toTargets, intervalMs: 1000, logger: recordingLogger() })
    const a = cache.refresh()
    const b = cache.refresh()
    expect(a).toBe(b)
    const c = cache.invalidate(['route'])
    const e = cache.invalidate()
    expect(c).toBe(e)
    expect(d.invalidated).toEqual([['route'], undefined])
    expect(d.runs()).toBe(1)
    d.pending.shift()!([app('a')])
    await a
    await settle()
    expect(d.runs()).toBe(2)
    d.pending.shift()!([app('a'), app('b')])
    await c
    expect(d.runs()).toBe(2)
    expect(cache.peek().targets).toHaveLength(2)
  })

  it('keeps the first of two targets with the same id and says so', async () => {
    const d = controllable()
    const logger = recordingLogger()
    const cache = createTargetCache({ discoverer: d.discoverer, toTargets, intervalMs: 1000, logger })
    const run = cache.refresh()
    d.pending.shift()!([app('same', 2), { ...app('same'), appName: 'twin' }])
    await run
    expect(cache.peek().targets.map((t) => `${t.id} ${t.appName}`)).toEqual(['same:0 same', 'same:1 same'])
    expect(logger.lines.some((l) => l.startsWith('warn two instances have the same id') && l.includes('twin'))).toBe(true)
  })
})

describe('annotations', () => {
  it('reads opt-in, path and port, and reports unusable values', () => {
    expect(readAnnotations({ 'prometheus.io/scrape': 'True', 'prometheus.io/path': '/m', 'prometheus.io/port': '9100' })).toEqual({ scrape: true, path: '/m', port: 9100, problems: [] })
    expect(readAnnotations({})).toEqual({ scrape: false, problems: [], path: undefined, port: undefined })
    const bad = readAnnotations({ 'prometheus.io/scrape': 'true', 'prometheus.io/path': 'metrics', 'prometheus.io/port': '70000' })
    expect(bad.path).toBeUndefined()
    expect(bad.port).toBeUndefined()
    expect(bad.problems).toHaveLength(2)
  })
})

describe('/cache/invalidate query', () => {
  it('names classes with the original parameters; none means all', () => {
    expect(classesToInvalidate({})).toBeUndefined()
    expect(classesToInvalidate({ application: 'true', route: '1', org: 'false' })).toEqual(['application', 'route'])
    expect(classesToInvalidate({ process: '' })).toEqual(['process'])
    expect(classesToInvalidate({ unrelated: '1' })).toBeUndefined()
  })
})
