/**
 * `/metrics?shard=<i>&shards=<n>`: the shards of a foundation are disjoint and together complete,
 * two separately assembled processes answer the same shard with the same instances, and bad
 * values get a 400 naming the problem.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { simConfig } from '../support/sim-config.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { assembleFrom, type Harness } from './harness.ts'

let sim: Simulator
let a: Harness
let b: Harness
beforeAll(async () => {
  sim = await startSimulator(oneSpace('acme', 'dev', [{ name: 'web', instances: 12, routes: [{ host: 'web' }] }]))
  const yaml = simConfig(sim, `  targets:\n    - { orgName: acme, spaceName: dev, applicationRegex: ".*", protocol: http }`)
  a = assembleFrom(yaml)
  b = assembleFrom(yaml)
})
afterAll(async () => {
  a.stop()
  b.stop()
  await sim.close()
})

/** The instance ids present in a /metrics answer. */
async function instancesOf(h: Harness, query: string): Promise<string[]> {
  const res = await h.app.request(`/metrics${query}`)
  expect(res.status).toBe(200)
  const ids = new Set<string>()
  for (const m of (await res.text()).matchAll(/cf_instance_id="([^"]+)"/g)) ids.add(m[1]!)
  return [...ids].sort()
}

describe('/metrics shards', () => {
  it('are disjoint and complete, and the same in two processes', async () => {
    const all = await instancesOf(a, '')
    expect(all).toHaveLength(12)
    const shards = await Promise.all([0, 1, 2].map((i) => instancesOf(a, `?shard=${i}&shards=3`)))
    expect(shards.flat().sort()).toEqual(all)
    expect(new Set(shards.flat()).size).toBe(12)
    for (const [i, shard] of shards.entries()) expect(await instancesOf(b, `?shard=${i}&shards=3`)).toEqual(shard)
    expect(await instancesOf(a, '?shard=0&shards=1')).toEqual(all)
  })

  for (const [query, message] of [
    ['?shard=0', /shard and shards must be given together/],
    ['?shards=2', /shard and shards must be given together/],
    ['?shard=2&shards=2', /shard must be an integer from 0 to 1/],
    ['?shard=-1&shards=2', /shard must be an integer from 0 to 1/],
    ['?shard=0&shards=0', /shards must be an integer from 1 to 1024/],
    ['?shard=a&shards=2', /shard must be an integer/],
    ['?shard=0&shards=1.5', /shards must be an integer/],
  ] as const) {
    it(`answers 400 to ${query}`, async () => {
      const res = await a.app.request(`/metrics${query}`)
      expect(res.status).toBe(400)
      expect(await res.text()).toMatch(message)
    })
  }
})
