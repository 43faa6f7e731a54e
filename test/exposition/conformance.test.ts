/**
 * The exposition suites nobody here wrote (../shared/exposition-conformance/: the OpenMetrics parser
 * suite and the text cases of prometheus/common and prometheus/prometheus), each case served by one
 * instance next to a healthy neighbour and merged by the product's real path (`mergeBodies`).
 *
 * Asserted for every case: the merged answer stays valid (`promtool check metrics` on the text
 * answer; the OpenMetrics answer parses again) and keeps the neighbour's samples, so one instance can
 * never break `/metrics`. Scored (and printed, failing cases with their reason): a valid case keeps
 * every sample, an invalid one is dropped. The score may only rise: FLOOR is the count measured
 * when this test was written; raise it as the parser learns.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { mergeBodies, parseExposition, type Format, type MetricFamily } from '../../src/exposition/index.ts'
import { findProgram, missing } from '../support/requirements.ts'
import { SHARED, sharedMissing } from '../support/shared.ts'

const DIR = 'exposition-conformance/'
const skip = sharedMissing(DIR)
const promtool = findProgram('promtool')
const promtoolSkip = skip ?? missing([{ name: 'promtool', present: !!promtool, hint: 'apt-get install prometheus' }])

/** Cases handled as the formats say, out of the scored ones, when this floor was set. */
const FLOOR = 366

interface Case {
  name: string
  format: Format
  body: string
  shouldParse: boolean
  scored: boolean
}

function readCases(): Case[] {
  const cases: Case[] = []
  for (const suite of ['openmetrics', 'prometheus-common', 'prometheus']) {
    for (const name of readdirSync(`${SHARED}${DIR}${suite}`).sort()) {
      const dir = `${SHARED}${DIR}${suite}/${name}/`
      const meta = JSON.parse(readFileSync(`${dir}test.json`, 'utf8')) as { shouldParse: boolean; format?: string; scored?: boolean }
      // Bodies are decoded as the scraper decodes them (invalid UTF-8 becomes U+FFFD).
      const body = new TextDecoder().decode(readFileSync(`${dir}metrics`))
      const format: Format = suite === 'openmetrics' || meta.format === 'openmetrics' ? 'openmetrics' : 'text'
      cases.push({ name: `${suite}/${name}`, format, body, shouldParse: meta.shouldParse, scored: meta.scored !== false })
    }
  }
  return cases
}

const NEIGHBOUR = '# HELP neighbour_requests_total Requests.\n# TYPE neighbour_requests_total counter\nneighbour_requests_total{code="200"} 7\n'
const samplesOf = (families: MetricFamily[], app: string) =>
  families.flatMap((f) => f.samples.filter((s) => s.labels.app_name === app).map((s) => `${s.name}${JSON.stringify(Object.entries(s.labels).filter(([k]) => k !== 'app_name').sort())} ${s.value}`)).sort()

/** Merges one case with the neighbour; what the test needs to judge it. */
function mergeCase(c: Case, out: Format) {
  const merged = mergeBodies([{ body: c.body, format: c.format, labels: { app_name: 'case' } }, { body: NEIGHBOUR, format: 'text', labels: { app_name: 'neighbour' } }], out)
  return { merged, dropped: merged.failures.some((f) => f.sourceIndex === 0), reason: merged.failures[0]?.error.message }
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
      if (!c.scored) continue
      scored++
      if (ok) passed++
      else failing.push(`${c.name}: ${why}`)
    }
    console.log(`exposition conformance: ${passed} of ${scored} scored cases handled as the formats say\n  ${failing.join('\n  ')}`)
    expect(passed).toBeGreaterThanOrEqual(FLOOR)
  })
})
