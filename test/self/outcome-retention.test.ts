/**
 * The status page's store of scrape outcomes follows discovery: after a refresh it holds only the
 * instances discovery still knows, so scaled-down and deleted apps leave nothing behind.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { assembleFrom, type Harness } from '../http/harness.ts'
import { simConfig } from '../support/sim-config.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'

let sim: Simulator
let h: Harness
beforeAll(async () => {
  sim = await startSimulator(oneSpace('acme', 'dev', [{ name: 'web', instances: 3, routes: [{ host: 'web' }] }]))
  h = assembleFrom(simConfig(sim, '  targets:\n    - { orgName: acme, spaceName: dev, applicationName: web, protocol: http }'))
})
afterAll(async () => {
  h?.stop()
  await sim?.close()
})

it('forgets the outcomes of instances that discovery no longer reports', async () => {
  const response = await h.app.request('/metrics')
  expect(response.status).toBe(200)
  await response.text()
  const guid = sim.app('web').guid
  expect([0, 1, 2].map((i) => h.outcomes.get(`${guid}:${i}`)?.ok)).toEqual([true, true, true])

  sim.scaleApp('web', 1)
  await h.targets.invalidate() // forget cached Cloud Controller results: the refresh asks again
  expect(h.outcomes.get(`${guid}:0`)?.ok).toBe(true)
  expect(h.outcomes.get(`${guid}:1`)).toBeUndefined()
  expect(h.outcomes.get(`${guid}:2`)).toBeUndefined()
  expect(h.outcomes.size()).toBe(1)
})
