/**
 * @module test/simulator/fixtures
 * A small landscape with every shape the simulator tests need: two orgs with same-named spaces,
 * labelled apps, internal and path routes, a shared route, a stopped app, a crashed instance, auth.
 */
import type { Landscape } from '../support/simulator/index.ts'

export const GUIDS = {
  shop: '11111111-1111-4111-8111-111111111111',
  worker: '22222222-2222-4222-8222-222222222222',
  billing: '33333333-3333-4333-8333-333333333333',
  stopped: '44444444-4444-4444-8444-444444444444',
  internal: '55555555-5555-4555-8555-555555555555',
  secured: '66666666-6666-4666-8666-666666666666',
  bearer: '77777777-7777-4777-8777-777777777777',
}

export function testLandscape(): Landscape {
  return {
    users: [{ username: 'admin', password: 'admin-secret' }],
    clients: [{ id: 'promregator', secret: 'client-secret' }],
    orgs: [
      {
        name: 'Alpha',
        labels: { env: 'prod' },
        spaces: [
          {
            name: 'dev',
            apps: [
              { name: 'shop', guid: GUIDS.shop, instances: 3, instanceStates: ['RUNNING', 'CRASHED', 'RUNNING'], routes: [{ host: 'shop' }], labels: { env: 'dev', tier: 'backend', scrape: 'true' } },
              { name: 'worker', guid: GUIDS.worker, instances: 2, routes: [{ host: 'worker' }, { host: 'api', path: '/worker' }], labels: { env: 'prod', tier: 'worker' } },
            ],
          },
          {
            name: 'prod',
            apps: [
              { name: 'billing', guid: GUIDS.billing, instances: 1, routes: [{ host: 'billing' }, { host: 'api' }], labels: { env: 'prod', 'chargeback-code': 'x1' } },
              { name: 'stopped', guid: GUIDS.stopped, state: 'STOPPED', instances: 2, routes: [{ host: 'stopped' }] },
            ],
          },
        ],
      },
      {
        name: 'beta',
        spaces: [
          {
            name: 'dev',
            apps: [
              { name: 'internal', guid: GUIDS.internal, instances: 2, internalPort: 9090, routes: [{ host: 'internal', domain: 'apps.internal' }], labels: { scrape: 'true' } },
              { name: 'secured', guid: GUIDS.secured, instances: 1, routes: [{ host: 'secured' }], basicAuth: { username: 'metrics', password: 'metrics-secret' }, metricsPath: '/prometheus' },
              { name: 'bearer', guid: GUIDS.bearer, instances: 1, routes: [{ host: 'bearer' }], bearerToken: 'sekrit', format: 'openmetrics', delayMs: 50 },
            ],
          },
        ],
      },
    ],
  }
}
