/**
 * Isolation, as a property: whatever one instance serves — random text, a valid body with random
 * edits, or a case of the conformance suites (as it is or edited) — the merged answer over it and a
 * healthy neighbour parses again in the answer's format and keeps the neighbour's sample, with
 * names escaped and with UTF-8 names quoted (`escaping=allow-utf-8`). The suites' cases seed the
 * bodies when `../shared` is beside the clone.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { mergeBodies, parseExposition, writeExposition } from '../../src/exposition/index.ts'
import type { Format } from '../../src/exposition/types.ts'
import { SHARED } from '../support/shared.ts'
import { familiesArb, mutate, mutationArb } from './arbitraries.ts'

const NEIGHBOUR = '# TYPE neighbour_requests_total counter\nneighbour_requests_total{code="200"} 7\n'
const SUITES = `${SHARED}exposition-conformance/`

/** The suites' bodies with their formats (none without ../shared: the other bodies still run). */
function suiteBodies(): Array<{ body: string; format: Format }> {
  if (!existsSync(SUITES)) return []
  return ['openmetrics', 'prometheus-common', 'prometheus'].flatMap((suite) =>
    readdirSync(`${SUITES}${suite}`).map((name) => {
      const meta = JSON.parse(readFileSync(`${SUITES}${suite}/${name}/test.json`, 'utf8')) as { format?: string }
      const format: Format = suite === 'openmetrics' || meta.format === 'openmetrics' ? 'openmetrics' : 'text'
      return { body: new TextDecoder().decode(readFileSync(`${SUITES}${suite}/${name}/metrics`)), format }
    }),
  )
}

const FORMATS: Format[] = ['text', 'openmetrics']

describe('one instance never breaks the merged answer', () => {
  const seeds = suiteBodies()
  const bodyArb: fc.Arbitrary<{ body: string; format: Format }> = fc.oneof(
    fc.record({ body: fc.string({ unit: fc.constantFrom('a', '_', '{', '}', '"', '\\', '\n', ' ', '#', '=', ',', '1', 'E', '+', 'I', 'n', 'f') }), format: fc.constantFrom(...FORMATS) }),
    fc.constantFrom(...FORMATS).chain((format) => fc.tuple(familiesArb(format), mutationArb).map(([families, ms]) => ({ body: mutate(writeExposition(families, format), ms), format }))),
    ...(seeds.length > 0 ? [fc.constantFrom(...seeds), fc.tuple(fc.constantFrom(...seeds), mutationArb).map(([seed, ms]) => ({ body: mutate(seed.body, ms), format: seed.format }))] : []),
  )

  // Quoted UTF-8 names in the bodies, for the answers that keep them quoted.
  const utf8BodyArb = fc.oneof(bodyArb, fc.tuple(bodyArb, fc.constantFrom('{"a.b",c="d"} 1\n', '# TYPE "x.y_total" counter\n{"x.y_total","l.m"="__u8_61_"} 2\n', '{"__u8_", "k"="v"} 3\n')).map(([b, extra]) => ({ body: extra + b.body, format: b.format })))

  it.each(FORMATS.flatMap((out) => [[out, 'underscores'], [out, 'allow-utf-8']] as const))('in %s with %s names: the answer parses again and keeps the neighbour', (out, escaping) => {
    fc.assert(
      fc.property(escaping === 'allow-utf-8' ? utf8BodyArb : bodyArb, ({ body, format }) => {
        const merged = mergeBodies([{ body, format, labels: { app_name: 'case' } }, { body: NEIGHBOUR, format: 'text', labels: { app_name: 'neighbour' } }], out, escaping)
        // A text body has none of OpenMetrics' structure rules: its rendering is read without them.
        const again = parseExposition(merged.body, out, { structure: format === 'openmetrics' })
        if (!again.ok) throw new Error(`${JSON.stringify(again.error)}\n--- input (${format})\n${body}\n--- output\n${merged.body}`)
        const neighbour = again.families.flatMap((f) => f.samples).filter((s) => s.labels.app_name === 'neighbour' && s.name.startsWith('neighbour_requests'))
        expect(neighbour.map((s) => s.value)).toEqual([7])
      }),
      { numRuns: 400 },
    )
  })
})
