import { describe, expect, it } from 'vitest'
import { chooseRoute, classifyApp } from '../../../src/platform/cf/routes.ts'
import { app, external, internal, routingOptions } from './fixtures.ts'

const options = routingOptions()

describe('route choice', () => {
  it('takes the first route without preferences', () => {
    expect(chooseRoute([external('a'), external('b')], [])?.host).toBe('a')
  })
  it('takes the first route matching a preferred regex, in list order', () => {
    const routes = [external('a'), external('b'), external('c')]
    expect(chooseRoute(routes, ['c\\..*', 'b\\..*'])?.host).toBe('c')
    expect(chooseRoute(routes, ['nomatch', 'b\\..*'])?.host).toBe('b')
  })
  it('requires the regex to match the whole route URL', () => {
    const routes = [external('a'), external('ab')]
    expect(chooseRoute(routes, ['ab'])?.host).toBe('a') // "ab" matches no URL fully: first route
    expect(chooseRoute(routes, ['ab\\.apps\\.example\\.org'])?.host).toBe('ab')
  })
  it('falls back to the first route when nothing matches', () => {
    expect(chooseRoute([external('a'), external('b')], ['zzz'])?.host).toBe('a')
  })
  it('never chooses a route that cannot address one instance, even a preferred one', () => {
    const tcp = { ...external(''), url: 'tcp.example.org:6666', unusable: 'tcp route tcp.example.org:6666' }
    const wildcard = { ...external('*'), unusable: 'wildcard route *.apps.example.org' }
    expect(chooseRoute([tcp, wildcard, external('b')], ['.*:6666', '\\*\\..*'])?.host).toBe('b')
    expect(chooseRoute([tcp, wildcard], [])).toBeUndefined()
  })
})

describe('classification', () => {
  it('scrapes an external route through the router with the instance header', () => {
    const result = classifyApp(app([external('app1', '/base')]), options)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.targets.map((t) => [t.url, t.headers, t.display.network === 'internal'])).toEqual([
      ['https://app1.apps.example.org/base/metrics', { 'X-CF-APP-INSTANCE': '1cb006ee-fb05-47e1-b541-c34179ddc446:0' }, false],
      ['https://app1.apps.example.org/base/metrics', { 'X-CF-APP-INSTANCE': '1cb006ee-fb05-47e1-b541-c34179ddc446:1' }, false],
    ])
    expect(result.targets[1]!.labels).toEqual({
      org_name: 'org1',
      space_name: 'dev',
      app_name: 'app1',
      cf_instance_id: '1cb006ee-fb05-47e1-b541-c34179ddc446:1',
      cf_instance_number: '1',
    })
  })
  it('honours the protocol of the target', () => {
    const result = classifyApp(app([external('app1')], { instances: 1 }), { ...options, protocol: 'http', path: '/prom' })
    expect(result.ok && result.targets[0]!.url).toBe('http://app1.apps.example.org/prom')
  })
  it('scrapes an internal route at <index>.<host>.<domain>:<port> without the header', () => {
    const result = classifyApp(app([internal('app1')], { instances: 3 }), options)
    expect(result.ok && result.targets.map((t) => [t.url, t.headers, t.display.network === 'internal'])).toEqual([
      ['http://0.app1.apps.internal:8080/metrics', {}, true],
      ['http://1.app1.apps.internal:8080/metrics', {}, true],
      ['http://2.app1.apps.internal:8080/metrics', {}, true],
    ])
  })
  it('uses the target port for internal routes before the default', () => {
    const result = classifyApp(app([internal('app1')], { instances: 1 }), { ...options, internalRoutePort: 9090 })
    expect(result.ok && result.targets[0]!.url).toBe('http://0.app1.apps.internal:9090/metrics')
    const byDefault = classifyApp(app([internal('app1')], { instances: 1 }), { ...options, defaultInternalRoutePort: 9100 })
    expect(byDefault.ok && byDefault.targets[0]!.url).toBe('http://0.app1.apps.internal:9100/metrics')
  })
  it('lets a preferred regex pick the internal route among external ones', () => {
    const result = classifyApp(app([external('app1'), internal('app1')], { instances: 1 }), { ...options, preferredRouteRegex: ['.*\\.apps\\.internal'] })
    expect(result.ok && result.targets[0]!.display.network).toBe('internal')
  })
  it('says why an app without routes has no targets', () => {
    expect(classifyApp(app([]), options)).toEqual({ ok: false, reason: 'app has no route' })
  })
  it('says why an app whose routes cannot address one instance has no targets, instead of scraping a random one', () => {
    const tcp = { ...external(''), url: 'tcp.example.org:6666', unusable: 'tcp route tcp.example.org:6666' }
    expect(classifyApp(app([tcp]), options)).toEqual({ ok: false, reason: 'no route can address one instance (tcp route tcp.example.org:6666)' })
  })
  it("scrapes an internal route on the destination's port when the target sets none", () => {
    const onPort = { ...internal('app1'), port: 9000 }
    const result = classifyApp(app([onPort], { instances: 1 }), options)
    expect(result.ok && result.targets[0]!.url).toBe('http://0.app1.apps.internal:9000/metrics')
    // The target's own setting still wins.
    const set = classifyApp(app([onPort], { instances: 1 }), { ...options, internalRoutePort: 9090 })
    expect(set.ok && set.targets[0]!.url).toBe('http://0.app1.apps.internal:9090/metrics')
  })
  it('yields no targets for an app scaled to zero', () => {
    expect(classifyApp(app([external('a')], { instances: 0 }), options)).toEqual({ ok: true, targets: [] })
  })
})
