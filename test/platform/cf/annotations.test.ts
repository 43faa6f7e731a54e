/**
 * The pure readers of Cloud Foundry specifics: app annotations (`kubernetesAnnotations`) and the
 * original's `/cache/invalidate` parameters.
 */
import { describe, expect, it } from 'vitest'
import { readAnnotations } from '../../../src/platform/cf/annotations.ts'
import { classesToInvalidate } from '../../../src/platform/cf/invalidate.ts'

describe('annotations', () => {
  it('reads opt-in, path and port, and reports unusable values', () => {
    expect(readAnnotations({ 'prometheus.io/scrape': 'True', 'prometheus.io/path': '/m', 'prometheus.io/port': '9100' })).toEqual({ scrape: true, path: '/m', port: 9100, problems: [] })
    expect(readAnnotations({})).toEqual({ scrape: false, problems: [], path: undefined, port: undefined })
    const bad = readAnnotations({ 'prometheus.io/scrape': 'true', 'prometheus.io/path': 'metrics', 'prometheus.io/port': '70000' })
    expect(bad.path).toBeUndefined()
    expect(bad.port).toBeUndefined()
    expect(bad.problems).toHaveLength(2)
  })
})

describe('/cache/invalidate query', () => {
  it('names classes with the original parameters; none means all', () => {
    expect(classesToInvalidate({})).toBeUndefined()
    expect(classesToInvalidate({ application: 'true', route: '1', org: 'false' })).toEqual(['application', 'route'])
    expect(classesToInvalidate({ process: '' })).toEqual(['process'])
    expect(classesToInvalidate({ unrelated: '1' })).toBeUndefined()
  })
})
