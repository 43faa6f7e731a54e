/**
 * The exposition suites nobody here wrote (../shared/exposition-conformance/: the OpenMetrics parser
 * suite and the text cases of prometheus/common and prometheus/prometheus), each case served by one
 * instance next to a healthy neighbour and merged by the product's real path (`mergeBodies`).
 *
 * Asserted for every case: the merged answer stays valid (`promtool check metrics` on the text
 * answer; the OpenMetrics answer parses again here, and a real Prometheus scrapes it in
 * test/e2e/conformance-scrape.test.ts) and keeps the neighbour's samples, so one instance can never
 * break `/metrics`. Asserted for every scored case (and printed, failing ones with their reason): a
 * valid case keeps every sample, an invalid one is dropped — apart from the two cases where the
 * suites contradict each other (DISAGREEMENTS), which are reported. Cases marked `scored: false` are
 * reported only. */
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { parseExposition } from '../../src/exposition/index.ts'
import { CONFORMANCE_DIR, mergeCase, readCases, samplesOf } from '../support/conformance.ts'
import { findProgram, missing } from '../support/requirements.ts'
import { sharedMissing } from '../support/shared.ts'

const skip = sharedMissing(CONFORMANCE_DIR)
const promtool = findProgram('promtool')
const promtoolSkip = skip ?? missing([{ name: 'promtool', present: !!promtool, hint: 'apt-get install prometheus' }])

/**
 * Scored cases on which the suites contradict each other, each with the case of the other suite
 * that says the opposite (which is asserted): reported, not asserted. The product follows the
 * OpenMetrics suite for OpenMetrics bodies and Prometheus's own parser where prometheus/common is
 * stricter than the Prometheus that scrapes us.
 */
const DISAGREEMENTS: Record<string, string> = {
  'prometheus-common/TestTextParseError_00':
    'a text body without a final newline: prometheus/common rejects it, Prometheus reads it (prometheus/TestPromParse ends without one); the newline is added',
  'prometheus/alltypes.5mfs.om.txt':
    'a histogram with negative buckets and a _sum, negative summary quantiles: Prometheus reads them, OpenMetrics 1.0 forbids them (openmetrics/bad_histograms_3, openmetrics/bad_counter_values_19); the body is dropped',
}

describe.skipIf(skip !== undefined)('the exposition conformance suites through the merge path', () => {
  const cases = skip ? [] : readCases()

  it('reads every case', () => {
    expect(cases.length).toBeGreaterThan(390)
  })

  it('never lets one instance break the merged answer: the neighbour is always kept and the OpenMetrics answer parses again', () => {
    const broken: string[] = []
    for (const c of cases) {
      const { merged } = mergeCase(c, 'openmetrics')
      // A text body has none of OpenMetrics' structure rules: its rendering is read without them.
      const again = parseExposition(merged.body, 'openmetrics', { structure: c.format === 'openmetrics' })
      if (!again.ok) broken.push(`${c.name}: ${again.error.message}`)
      else if (samplesOf(again.families, 'neighbour').length !== 1) broken.push(`${c.name}: neighbour lost`)
    }
    expect(broken).toEqual([])
  })

  it.skipIf(promtoolSkip !== undefined)('never lets one instance break the merged text answer for promtool check metrics', () => {
    const broken: string[] = []
    for (const c of cases) {
      const { merged } = mergeCase(c, 'text')
      const check = spawnSync(promtool!, ['check', 'metrics'], { input: merged.body, encoding: 'utf8' })
      // 3: lint findings only (naming advice), the text is valid.
      if (check.status !== 0 && check.status !== 3) broken.push(`${c.name}: ${(check.stdout + check.stderr).trim().split('\n')[0]}`)
    }
    expect(broken).toEqual([])
  }, 60_000)

  it('keeps every sample of a valid case and drops an invalid one (score printed, may only rise)', () => {
    const failing: string[] = []
    const unscored: string[] = []
    let passed = 0
    let scored = 0
    for (const c of cases) {
      const { merged, dropped, reason } = mergeCase(c, 'openmetrics')
      let ok: boolean
      let why = ''
      if (c.shouldParse) {
        const input = parseExposition(c.body, c.format)
        const output = parseExposition(merged.body, 'openmetrics', { structure: c.format === 'openmetrics' })
        const expected = input.ok ? input.families.flatMap((f) => f.samples).length : -1
        const kept = output.ok ? samplesOf(output.families, 'case').length : 0
        ok = !dropped && input.ok && kept >= expected
        why = dropped ? `valid, dropped: ${reason}` : `valid, ${kept} of ${expected} samples kept`
      } else {
        ok = dropped
        why = 'invalid, merged anyway'
      }
      if (!c.scored) {
        unscored.push(`${c.name}: ${ok ? 'handled as the formats say' : why}`)
        continue
      }
      scored++
      if (ok) passed++
      else failing.push(`${c.name}: ${why}`)
    }
    const disputed = failing.filter((f) => f.split(':')[0]! in DISAGREEMENTS)
    const wrong = failing.filter((f) => !(f.split(':')[0]! in DISAGREEMENTS))
    console.log(
      `exposition conformance: ${passed} of ${scored} scored cases handled as the formats say\n` +
        `  where the suites disagree:\n${disputed.map((f) => `    ${f} — ${DISAGREEMENTS[f.split(':')[0]!]}`).join('\n')}\n` +
        `  failing:\n${wrong.map((f) => `    ${f}`).join('\n') || '    none'}\n` +
        `  not scored (reported only):\n${unscored.map((f) => `    ${f}`).join('\n') || '    none'}`,
    )
    expect(wrong).toEqual([])
    // Each side of a disagreement that the product follows is asserted with the rest.
    expect(Object.keys(DISAGREEMENTS).every((name) => cases.some((c) => c.name === name))).toBe(true)
  })
})
