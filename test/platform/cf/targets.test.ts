/**
 * Routing options beyond route choice: `overrideRouteAndPath`, the per-target protocol with an
 * override, and the once-per-app warning for an app that has no route.
 */
import { describe, expect, it } from 'vitest'
import { targetSchema, type TargetConfig } from '../../../src/config/schema.ts'
import { classifyApp } from '../../../src/platform/cf/routes.ts'
import { createTargetBuilder } from '../../../src/platform/cf/targets.ts'
import { collectingLogger } from '../../scrape/pipeline-support.ts'
import { app, external, internal, routingOptions } from './fixtures.ts'

describe('overrideRouteAndPath', () => {
  it('scrapes <protocol>://<override><path> for every instance, without X-CF-APP-INSTANCE', () => {
    const result = classifyApp(app([external('a')]), routingOptions({ overrideRouteAndPath: 'oathkeeper.example.org/app1', protocol: 'https' }))
    expect(result.ok && result.targets.map((t) => [t.id.endsWith(':0') ? 0 : 1, t.url, t.headers, t.display.network === 'internal'])).toEqual([
      [0, 'https://oathkeeper.example.org/app1/metrics', {}, true],
      [1, 'https://oathkeeper.example.org/app1/metrics', {}, true],
    ])
  })

  it('honours the protocol of the target and tolerates a trailing slash or a scheme in the override', () => {
    const result = classifyApp(app([internal('a')]), routingOptions({ overrideRouteAndPath: 'http://gate.example.org:8443/', protocol: 'http' }))
    expect(result.ok && result.targets[0]!.url).toBe('http://gate.example.org:8443/metrics')
  })

  it('keeps the instance labels apart although the URL is shared', () => {
    const result = classifyApp(app([external('a')]), routingOptions({ overrideRouteAndPath: 'gate' }))
    expect(result.ok && result.targets.map((t) => t.labels.cf_instance_number)).toEqual(['0', '1'])
  })

  it('needs no route of the app', () => {
    const result = classifyApp(app([]), routingOptions({ overrideRouteAndPath: 'gate.example.org' }))
    expect(result.ok && result.targets).toHaveLength(2)
  })

  it('is a target key in the configuration', () => {
    const parsed = targetSchema.parse({ applicationName: 'x', overrideRouteAndPath: 'gate.example.org/x' })
    expect(parsed.overrideRouteAndPath).toBe('gate.example.org/x')
    expect(targetSchema.safeParse({ overrideRouteAndPath: '' }).success).toBe(false)
  })
})

describe('target builder', () => {
  const target = (extra: Partial<TargetConfig> = {}): TargetConfig => targetSchema.parse({ applicationName: 'app1', ...extra })

  it('uses the options of the target that selected each app', () => {
    const build = createTargetBuilder({ targets: [target({ protocol: 'http' }), target({ path: '/prom', overrideRouteAndPath: 'gate' })], defaultInternalRoutePort: 8080, logger: collectingLogger() })
    const targets = build([app([external('a')], { instances: 1 }), app([external('b')], { instances: 1, targetIndex: 1, appGuid: '2cb006ee-fb05-47e1-b541-c34179ddc446' })])
    expect(targets.targets.map((t) => t.url)).toEqual(['http://a.apps.example.org/metrics', 'https://gate/prom'])
  })

  it('warns clearly, once, about an app without a route, and again after it had one in between', () => {
    const logger = collectingLogger()
    const build = createTargetBuilder({ targets: [target()], defaultInternalRoutePort: 8080, logger })
    const routeless = app([])
    expect(build([routeless]).targets).toEqual([])
    expect(build([routeless]).targets).toEqual([])
    expect(logger.lines).toHaveLength(1)
    expect(logger.lines[0]).toMatchObject({ level: 'warn', fields: { org: 'org1', space: 'dev', app: 'app1', app_guid: routeless.appGuid } })
    expect(logger.lines[0]!.msg).toMatch(/app has no route: its instances are not scraped; map a route to the app or set overrideRouteAndPath/)
    expect(build([app([external('a')])]).targets).toHaveLength(2)
    build([routeless])
    expect(logger.lines).toHaveLength(2)
  })
})
