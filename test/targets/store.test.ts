/**
 * The target store with a controllable source: invalidation while a refresh runs, one shared
 * run for concurrent callers, answers from the current picture during a refresh, duplicate ids,
 * observers told after each refresh; and the shard function.
 */
import { describe, expect, it } from 'vitest'
import type { ScrapeTarget } from '../../src/model/target.ts'
import type { Discovery, InvalidationRequest } from '../../src/platform/types.ts'
import { fnv1a32, shardOf, targetsOfShard } from '../../src/targets/shard.ts'
import { createTargetStore } from '../../src/targets/store.ts'
import { recordingLogger } from '../platform/cf/helpers.ts'

function controllable() {
  const pending: Array<(discovery: Discovery) => void> = []
  const invalidated: Array<InvalidationRequest | undefined> = []
  let runs = 0
  return {
    pending,
    invalidated,
    runs: () => runs,
    source: {
      discover: () => {
        runs++
        return new Promise<Discovery>((resolve) => pending.push(resolve))
      },
      invalidate: (request?: InvalidationRequest) => void invalidated.push(request),
    },
  }
}

/** A made-up target: `app` with instance `index`. */
const target = (app: string, index: number): ScrapeTarget => ({
  id: `${app}:${index}`,
  url: `http://${app}/metrics`,
  headers: {},
  labels: {},
  discoveryLabels: {},
  display: { platform: '', owner: 'o', space: 's', app, instance: String(index), route: app, network: 'external' },
})
const found = (...apps: Array<[string, number] | [string, number, string]>): Discovery => ({
  targets: apps.flatMap(([guid, instances, name]) => Array.from({ length: instances }, (_, i) => ({ ...target(guid, i), display: { ...target(guid, i).display, app: name ?? guid } }))),
  apps: apps.length,
  problems: [],
})
const settle = () => new Promise((r) => setTimeout(r, 0))

describe('target store', () => {
  it('answers from the current picture while a refresh runs', async () => {
    const d = controllable()
    const store = createTargetStore({ source: d.source, logger: recordingLogger() })
    const first = store.current()
    d.pending.shift()!(found(['a', 1]))
    expect((await first).targets.map((t) => t.id)).toEqual(['a:0'])
    const refresh = store.refresh()
    expect(store.status().refreshing).toBe(true)
    expect((await store.current()).targets.map((t) => t.id)).toEqual(['a:0'])
    d.pending.shift()!(found(['a', 1], ['b', 1]))
    await refresh
    expect((await store.current()).targets.map((t) => t.id)).toEqual(['a:0', 'b:0'])
  })

  it('shares one run between concurrent refreshes and follows an invalidation during a run with exactly one more', async () => {
    const d = controllable()
    const store = createTargetStore({ source: d.source, logger: recordingLogger() })
    const a = store.refresh()
    const b = store.refresh()
    expect(a).toBe(b)
    const c = store.invalidate({ route: 'true' })
    const e = store.invalidate()
    expect(c).toBe(e)
    expect(d.invalidated).toEqual([{ route: 'true' }, undefined])
    expect(d.runs()).toBe(1)
    d.pending.shift()!(found(['a', 1]))
    await a
    await settle()
    expect(d.runs()).toBe(2)
    d.pending.shift()!(found(['a', 1], ['b', 1]))
    await c
    expect(d.runs()).toBe(2)
    expect(store.peek().targets).toHaveLength(2)
  })

  it('keeps the first of two targets with the same id and says so', async () => {
    const d = controllable()
    const logger = recordingLogger()
    const store = createTargetStore({ source: d.source, logger })
    const run = store.refresh()
    d.pending.shift()!(found(['same', 2], ['same', 1, 'twin']))
    await run
    expect(store.peek().targets.map((t) => `${t.id} ${t.display.app}`)).toEqual(['same:0 same', 'same:1 same'])
    expect(logger.lines.some((l) => l.startsWith('warn two instances have the same id') && l.includes('twin'))).toBe(true)
  })

  it('tells its observers after every refresh, successful or not', async () => {
    const d = controllable()
    const store = createTargetStore({ source: d.source, logger: recordingLogger() })
    const told: Array<[boolean, number]> = []
    store.subscribe(({ ok, snapshot }) => told.push([ok, snapshot.targets.length]))
    const first = store.refresh()
    d.pending.shift()!(found(['a', 2]))
    await first
    const second = store.refresh()
    ;(d.source as { discover: () => Promise<Discovery> }).discover = () => Promise.reject(new Error('API down'))
    d.pending.shift()!(found(['a', 2]))
    await second
    await store.refresh()
    expect(told).toEqual([[true, 2], [true, 2], [false, 2]])
    expect(store.status().lastError).toBe('API down')
  })
})

describe('shards', () => {
  it('splits targets by a stable hash of their id: disjoint, complete, the same every time', () => {
    const targets = Array.from({ length: 1000 }, (_, i) => target(`app-${i % 97}`, i))
    const shards = [0, 1, 2].map((i) => targetsOfShard(targets, i, 3))
    expect(shards.reduce((n, s) => n + s.length, 0)).toBe(1000)
    expect(new Set(shards.flat().map((t) => t.id)).size).toBe(1000)
    for (const shard of shards) expect(shard.length).toBeGreaterThan(250)
    // Fixed values: a change of the hash would move targets to another replica's shard.
    expect(fnv1a32('a')).toBe(0xe40c292c) // the published FNV-1a test vector
    expect(['a:0', 'b:1', '6f1b2c3d-0000-4000-8000-000000000001:3'].map((id) => shardOf(id, 7))).toEqual([0, 6, 6])
  })
})
