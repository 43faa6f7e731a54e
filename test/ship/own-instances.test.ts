/**
 * Every instance's own metrics through one route: two processes of the compiled binary run as the
 * two instances of one app ("promregator") of the simulated foundation, registered in its gorouter
 * (the simulator forwards what the router delivers to instance i to process i). Each learns its app,
 * process and index from `VCAP_APPLICATION` and `CF_INSTANCE_INDEX` as on Cloud Foundry, counts the
 * instances at the Cloud Controller, serves its siblings' own metrics fetched through the router
 * with `X-CF-APP-INSTANCE` (and the inbound credentials of `/promregatorMetrics`), and lists one
 * own-metrics target per instance in `/discovery`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BINARY } from '../support/requirements.ts'
import { simulatorYaml } from '../support/sim-config.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { binaryMissing, startServer, waitForStatus, type RunningServer } from './support.ts'

const skip = binaryMissing()
const CREDENTIALS = { username: 'prom', password: 'own+metrics/secret' }
const authorization = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`

describe.skipIf(skip !== undefined)('own metrics of every instance, from any instance', () => {
  let sim: Simulator
  let dir: string
  const upstreams: string[] = []
  const instances: RunningServer[] = []
  let own: { guid: string; processGuid: string }

  const get = (instance: number, path: string, headers: Record<string, string> = { authorization }) => fetch(`${instances[instance]!.base}${path}`, { headers })
  const routedTo = (index: number) => sim.routerRequests().filter((r) => r.path === '/promregatorMetrics' && r.appInstanceHeader === `${own.guid}:${index}`)

  beforeAll(async () => {
    sim = await startSimulator(
      oneSpace('acme', 'prod', [
        { name: 'web-shop', instances: 2, routes: [{ host: 'web-shop' }] },
        { name: 'promregator', instances: 2, routes: [{ host: 'promregator' }], upstream: (index) => upstreams[index] },
      ]),
    )
    const app = sim.app('promregator')
    own = { guid: app.guid, processGuid: app.processGuid }
    dir = mkdtempSync(join(tmpdir(), 'promregator-own-instances-'))
    writeFileSync(
      join(dir, 'promregator.yml'),
      `${simulatorYaml(sim)}  targets:
    - { orgName: acme, spaceName: prod, applicationName: web-shop, protocol: http }
  authentication:
    basic: { username: ${CREDENTIALS.username}, password: ${JSON.stringify(CREDENTIALS.password)} }
  metrics:
    auth: BASIC
    replicas: { protocol: http }
  cache:
    invalidate: { minInterval: 0 }
`,
    )
    for (let index = 0; index < 2; index++) {
      const vcap = {
        application_id: own.guid,
        application_name: 'promregator',
        application_uris: ['promregator.apps.internal', 'promregator.apps.sim.localhost'],
        cf_api: sim.apiUrl,
        process_id: own.processGuid,
        process_type: 'web',
        organization_name: 'acme',
        space_name: 'prod',
      }
      const server = await startServer(BINARY, ['--config', join(dir, 'promregator.yml')], { cwd: dir, env: { PORT: '0', VCAP_APPLICATION: JSON.stringify(vcap), CF_INSTANCE_INDEX: String(index) } })
      instances.push(server)
      upstreams[index] = server.base
    }
    for (const server of instances) await waitForStatus(`${server.base}/-/ready`)
  }, 60_000)

  afterAll(async () => {
    await Promise.all(instances.map((s) => s.stop()))
    await sim?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  /** The own-metrics targets of `/discovery` on `instance`, as index → labels. */
  async function ownTargets(instance: number): Promise<Array<Record<string, string>>> {
    const response = await get(instance, '/discovery')
    const groups = (await response.json()) as Array<{ labels: Record<string, string> }>
    return groups.map((g) => g.labels).filter((l) => l.__metrics_path__!.startsWith('/promregatorMetrics'))
  }

  it('lists one own-metrics target per instance in /discovery, labelled like an app instance', async () => {
    for (const instance of [0, 1]) {
      // Each instance reads the count after its first discovery, in the background.
      await expect.poll(async () => (await ownTargets(instance)).map((l) => l.__metrics_path__), { timeout: 10_000 }).toEqual(['/promregatorMetrics/instances/0', '/promregatorMetrics/instances/1'])
      const labels = await ownTargets(instance)
      expect(labels[1]).toMatchObject({
        __meta_promregator_target_path: '/promregatorMetrics/instances/1',
        __meta_promregator_target_orgName: 'acme',
        __meta_promregator_target_spaceName: 'prod',
        __meta_promregator_target_applicationName: 'promregator',
        __meta_promregator_target_instanceNumber: '1',
        __meta_promregator_target_instanceId: `${own.guid}:1`,
      })
    }
  })

  it("serves a sibling's own metrics fetched through the router with X-CF-APP-INSTANCE and the inbound credentials", async () => {
    for (const [asked, sibling] of [[0, 1], [1, 0]] as const) {
      const before = routedTo(sibling).length
      const response = await get(asked, `/promregatorMetrics/instances/${sibling}`)
      expect(response.status).toBe(200)
      const body = await response.text()
      expect(body).toContain(`promregator_up{org_name="acme",space_name="prod",app_name="promregator",cf_instance_id="${own.guid}:${sibling}",cf_instance_number="${sibling}"} 1`)
      expect(body).toMatch(new RegExp(`promregator_build_info\\{version="[^"]+",org_name="acme",space_name="prod",app_name="promregator",cf_instance_id="${own.guid}:${sibling}",cf_instance_number="${sibling}"\\} 1`))
      // The sibling itself answered: the router delivered exactly one request to it, with the credentials.
      const routed = routedTo(sibling).slice(before)
      expect(routed.map((r) => [r.instance, r.status])).toEqual([[`${own.guid}:${sibling}`, 200]])
      expect(sim.lastInstanceRequest('promregator', sibling)?.headers.authorization).toBe(authorization)
    }
  })

  it('serves its own instance from memory, without a request through the router', async () => {
    const before = sim.routerRequests().length
    const body = await (await get(1, '/promregatorMetrics/instances/1')).text()
    expect(body).toContain(`cf_instance_number="1"} 1`)
    expect(sim.routerRequests().slice(before).filter((r) => r.path === '/promregatorMetrics')).toEqual([])
  })

  it('answers 404 for an instance the app does not have, and 401 without credentials, contacting nobody', async () => {
    const before = sim.routerRequests().length
    const unknown = await get(0, '/promregatorMetrics/instances/2')
    expect(unknown.status).toBe(404)
    expect(await unknown.text()).toContain('this app has 2 instance(s)')
    expect((await get(0, '/promregatorMetrics/instances/x')).status).toBe(404)
    expect((await get(0, '/promregatorMetrics/instances/1', {})).status).toBe(401)
    expect(sim.routerRequests().length).toBe(before)
  })

  it('follows a scale-up at the next discovery refresh; an instance that does not answer is promregator_up 0', async () => {
    sim.scaleApp('promregator', 3)
    expect((await get(0, '/cache/invalidate')).status).toBeLessThan(300)
    await expect.poll(async () => (await ownTargets(0)).length, { timeout: 10_000 }).toBe(3)
    // Instance 2 is registered in the router but no process listens behind it.
    const response = await get(0, '/promregatorMetrics/instances/2')
    const body = await response.text()
    expect(body).toContain(`cf_instance_number="2"} 0`)
    expect(body).not.toContain('promregator_build_info')
  })
})
