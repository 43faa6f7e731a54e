/**
 * The tree reads as the pipeline: the real imports of src/ contain no circle, no import from an
 * earlier stage to a later one, platforms that import nothing of the stages after them, and no
 * folder but platform/index.ts that reaches into a platform's own folder. The checker itself is
 * tested on made-up graphs, so a rule that stopped finding anything would fail here too.
 */
import { describe, expect, it } from 'vitest'
import { checkLayering, findCircles, readImportGraph, type ImportGraph } from '../support/import-graph.ts'

const graph = readImportGraph('src')

describe('imports of src/', () => {
  it('are read from the files (sanity: known edges are seen)', () => {
    expect(graph.size).toBeGreaterThan(60)
    expect(graph.get('assemble.ts')).toContain('platform/index.ts')
    expect(graph.get('lifecycle.ts')).toContain('boot.ts') // through `typeof import('./boot.ts')`
    expect(graph.get('http/routes/metrics.ts')).toContain('aggregate/scrape-all.ts')
  })

  it('contain no circle', () => {
    expect(findCircles(graph)).toEqual([])
  })

  it('never run back up the pipeline, keep exposition/ self-contained and platforms to themselves', () => {
    expect(checkLayering(graph)).toEqual([])
  })
})

describe('the checker', () => {
  const made = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges))

  it('finds a circle', () => {
    expect(findCircles(made({ 'scrape/a.ts': ['scrape/b.ts'], 'scrape/b.ts': ['scrape/a.ts'] }))).toEqual([['scrape/a.ts', 'scrape/b.ts', 'scrape/a.ts']])
  })

  it('finds an import that runs back up, a platform reaching later stages, and a stranger in a platform folder', () => {
    const rules = checkLayering(
      made({
        'targets/store.ts': ['http/app.ts'],
        'platform/cf/x.ts': ['self/metrics.ts'],
        'http/app.ts': ['platform/cf/x.ts'],
        'exposition/parse.ts': ['log.ts'],
      }),
    ).map((v) => `${v.from} → ${v.to}: ${v.rule}`)
    expect(rules).toEqual([
      "targets/store.ts → http/app.ts: 'targets' comes before 'http' in the pipeline and may not import from it",
      "platform/cf/x.ts → self/metrics.ts: 'platform' comes before 'self' in the pipeline and may not import from it",
      'platform/cf/x.ts → self/metrics.ts: platform/ imports nothing from targets/, scrape/, http/, self/',
      'http/app.ts → platform/cf/x.ts: only platform/index.ts (and platform/cf/ itself) may import from platform/cf/',
      'exposition/parse.ts → log.ts: exposition/ imports nothing of the project',
    ])
  })
})
