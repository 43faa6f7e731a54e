/**
 * Names as operators write them: commas, percent signs, blanks and other characters in org,
 * space and app names reach the Cloud Controller's multi-value filters intact (it decodes
 * those twice) and select exactly the named resources.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../support/simulator/index.ts'
import { build, cfBlock, discovery, instancesOf, recordingLogger } from './helpers.ts'

let sim: Simulator
beforeAll(async () => {
  sim = await startSimulator({
    orgs: [
      {
        name: 'ACME, Inc.',
        spaces: [
          {
            name: 'dev & test',
            apps: [
              { name: 'shop,eu', routes: [{ host: 'shop-eu' }] },
              { name: '50% off', routes: [{ host: 'sale' }] },
              { name: 'shop', routes: [{ host: 'shop' }] },
              { name: 'eu', routes: [{ host: 'eu' }] },
            ],
          },
        ],
      },
      { name: 'ACME', spaces: [{ name: 'dev & test', apps: [{ name: 'shop,eu', routes: [{ host: 'decoy' }] }] }] },
    ],
  })
})
afterAll(() => sim?.close())

it('selects org, space and apps whose names hold commas, percent signs and blanks', async () => {
  const p = build(
    `${cfBlock(sim)}promregator:
  discovery: { ownMetricsEndpoint: false }
  targets:
    - { orgName: "ACME, Inc.", spaceName: "dev & test", applicationName: "shop,eu", protocol: http }
    - { orgName: "ACME, Inc.", spaceName: "dev & test", applicationName: "50% off", protocol: http }
`,
    recordingLogger(),
  )
  expect(instancesOf(await discovery(p))).toEqual(['50% off/0', 'shop,eu/0'])
  // One query per kind, the names in it: never split into "ACME" and " Inc.", "shop" and "eu".
  const orgQueries = sim.requests().filter((r) => r.path === '/v3/organizations').map((r) => r.query)
  expect(orgQueries.every((q) => q.includes('names=ACME%252C%2520Inc.'))).toBe(true)
  p.stop()
})
