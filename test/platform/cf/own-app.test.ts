/**
 * Reading the product's own app from the environment Cloud Foundry gives an instance
 * (`VCAP_APPLICATION`, `CF_INSTANCE_INDEX`), and choosing its foundation and route.
 */
import { describe, expect, it } from 'vitest'
import { isOwnFoundation, ownRoute, readOwnApp, type OwnApp } from '../../../src/platform/cf/own-app.ts'

const vcap = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ application_id: 'fa05c1a9-0fc1-4fbd-bae1-139850dec7a3', application_name: 'promregator', application_uris: ['promregator.example.com'], cf_api: 'https://api.example.com', process_id: 'p-1', organization_name: 'o', space_name: 's', users: null, ...extra })

describe('own app from the environment', () => {
  it('reads app, process, names, routes and index', () => {
    expect(readOwnApp({ VCAP_APPLICATION: vcap(), CF_INSTANCE_INDEX: '3' })).toEqual({
      appGuid: 'fa05c1a9-0fc1-4fbd-bae1-139850dec7a3',
      appName: 'promregator',
      processGuid: 'p-1',
      orgName: 'o',
      spaceName: 's',
      api: 'https://api.example.com',
      uris: ['promregator.example.com'],
      index: 3,
    })
    // The older name of the index variable.
    expect(readOwnApp({ VCAP_APPLICATION: vcap(), INSTANCE_INDEX: '0' })).toMatchObject({ index: 0 })
  })

  it('is undefined off Cloud Foundry and names what is wrong with unusable variables', () => {
    expect(readOwnApp({})).toBeUndefined()
    expect(readOwnApp({ VCAP_APPLICATION: '{', CF_INSTANCE_INDEX: '0' })).toEqual({ problem: 'VCAP_APPLICATION is not JSON' })
    expect(readOwnApp({ VCAP_APPLICATION: JSON.stringify({ application_name: 'x' }), CF_INSTANCE_INDEX: '0' })).toEqual({ problem: 'VCAP_APPLICATION lacks application_id' })
    expect(readOwnApp({ VCAP_APPLICATION: vcap() })).toEqual({ problem: 'CF_INSTANCE_INDEX is not set' })
    expect(readOwnApp({ VCAP_APPLICATION: vcap(), CF_INSTANCE_INDEX: '-1' })).toEqual({ problem: "CF_INSTANCE_INDEX is '-1', not an index" })
  })

  it('matches its foundation by the Cloud Controller host, with or without a scheme', () => {
    const app = readOwnApp({ VCAP_APPLICATION: vcap(), CF_INSTANCE_INDEX: '0' }) as OwnApp
    expect(isOwnFoundation(app, 'api.example.com')).toBe(true)
    expect(isOwnFoundation(app, 'https://API.example.com/')).toBe(true)
    expect(isOwnFoundation(app, 'https://api.other.example.com')).toBe(false)
    expect(isOwnFoundation({ ...app, api: undefined }, 'api.example.com')).toBe(false)
  })

  it('reaches siblings through the configured route, else the first route not on the internal domain', () => {
    const app = readOwnApp({ VCAP_APPLICATION: vcap({ application_uris: ['p.apps.internal', 'p.example.com/x'] }), CF_INSTANCE_INDEX: '0' }) as OwnApp
    expect(ownRoute(app, undefined)).toBe('p.example.com/x')
    expect(ownRoute(app, 'p.custom.example.com')).toBe('p.custom.example.com')
    expect(ownRoute({ ...app, uris: ['p.apps.internal'] }, undefined)).toBeUndefined()
  })
})
