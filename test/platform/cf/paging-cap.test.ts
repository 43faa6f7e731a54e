/**
 * An operator's `renderer.max_total_results` on the Cloud Controller: any page whose
 * page × per_page exceeds it is a 400, so pages of 5,000 (or any later page) are refused. Discovery
 * still finds every app, reading the lists by creation time, and says so once in the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bigLandscape, startSimulator, type Simulator } from '../../support/simulator/index.ts'
import { z } from 'zod'
import { simulatorClient } from '../../support/cf-client.ts'
import { build, cfBlock, discovery, recordingLogger } from './helpers.ts'

let sim: Simulator
beforeAll(async () => {
  // 10,000 apps in one space: no GUID chunking narrows the lists below the cap.
  sim = await startSimulator(bigLandscape({ apps: 10_000, spaces: 1 }), { maxTotalResults: 3000, logLimit: 1000 })
}, 60_000)
afterAll(() => sim?.close())

describe('renderer.max_total_results of 3,000', () => {
  it('is enforced by the simulator as by the Cloud Controller', async () => {
    const token = sim.issueToken()
    const get = (query: string) => fetch(`${sim.apiUrl}/v3/apps?${query}`, { headers: { authorization: `bearer ${token}` } })
    expect((await get('per_page=5000')).status).toBe(400)
    expect((await get('per_page=3000&page=1')).status).toBe(200)
    expect((await get('per_page=1000&page=4')).status).toBe(400)
    const after = await (await get('per_page=2&order_by=created_at&created_ats[gte]=2020-01-01T00:00:00Z')).json() as { resources: unknown[] }
    expect(after.resources).toHaveLength(2)
  })

  it('reports a query the Cloud Controller refuses for itself as it answered, not as a cap', async () => {
    const client = simulatorClient(sim, { rateLimit: 0 })
    const refused = client.list('/v3/apps', { label_selector: 'env = prod' }, z.object({ guid: z.string() }))
    await expect(refused).rejects.toThrow(/HTTP 400 CF-BadQueryParameter/)
    await expect(refused).rejects.not.toThrow(/max_total_results|maximum number of results/)
  })

  it('still discovers all 10,000 apps, and says once how the lists are read', async () => {
    const logger = recordingLogger()
    const p = build(`${cfBlock(sim, 'request: { backoff: 20, rateLimit: 0 }')}promregator:\n  discovery: { ownMetricsEndpoint: false }\n  targets:\n    - { orgName: org-0, protocol: http }\n`, logger)
    const groups = await discovery(p)
    expect(groups).toHaveLength(10_000)
    expect(new Set(groups.map((g) => g.labels.__meta_promregator_target_applicationName)).size).toBe(10_000)
    expect(logger.lines.filter((l) => l.includes('read by creation time'))).toEqual([expect.stringContaining('lists are read by creation time from now on, 500 at a time')])
    // A second run reads the same way at once: no page refused again, nothing said again.
    sim.clearLogs()
    await p.targets.invalidate()
    expect(sim.requests().filter((r) => r.status === 400)).toEqual([])
    expect(logger.lines.filter((l) => l.includes('read by creation time'))).toHaveLength(1)
    expect(new Set((await discovery(p)).map((g) => g.labels.__meta_promregator_target_applicationName)).size).toBe(10_000)
    p.stop()
  }, 120_000)
})
