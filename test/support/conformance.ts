/**
 * @module test/support/conformance
 * The exposition suites of ../shared/exposition-conformance/ as test cases, and one case merged by
 * the product's real path beside a healthy neighbour: shared by the merge-path test and the one
 * where a real Prometheus scrapes the merged answers.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { mergeBodies, type Format, type MetricFamily } from '../../src/exposition/index.ts'
import { decodeUtf8 } from '../../src/scrape/body.ts'
import { SHARED } from './shared.ts'

/** The suites' folder under ../shared/. */
export const CONFORMANCE_DIR = 'exposition-conformance/'

/** One case of the suites. */
export interface Case {
  name: string
  format: Format
  body: string
  /** The scraper marks the body as not UTF-8: the instance is down, nothing of it merged. */
  invalidUtf8: boolean
  shouldParse: boolean
  scored: boolean
}

/** Every case of the three suites, in a stable order. */
export function readCases(): Case[] {
  const cases: Case[] = []
  for (const suite of ['openmetrics', 'prometheus-common', 'prometheus']) {
    for (const name of readdirSync(`${SHARED}${CONFORMANCE_DIR}${suite}`).sort()) {
      const dir = `${SHARED}${CONFORMANCE_DIR}${suite}/${name}/`
      const meta = JSON.parse(readFileSync(`${dir}test.json`, 'utf8')) as { shouldParse: boolean; format?: string; scored?: boolean }
      // Bodies are decoded as the scraper decodes them: one that is not UTF-8 is marked so, and
      // counts as down before any merge (aggregate/bodies.ts), which is how it is scored here.
      const bytes = readFileSync(`${dir}metrics`)
      const { text: body, invalidUtf8 } = decodeUtf8(bytes, bytes.byteLength)
      const format: Format = suite === 'openmetrics' || meta.format === 'openmetrics' ? 'openmetrics' : 'text'
      cases.push({ name: `${suite}/${name}`, format, body, invalidUtf8: invalidUtf8 === true, shouldParse: meta.shouldParse, scored: meta.scored !== false })
    }
  }
  return cases
}

/** The healthy neighbour every case is merged beside (`app_name="neighbour"`). */
export const NEIGHBOUR = '# HELP neighbour_requests_total Requests.\n# TYPE neighbour_requests_total counter\nneighbour_requests_total{code="200"} 7\n'

/** The samples of `app` (by its `app_name` label) as sortable strings. */
export const samplesOf = (families: MetricFamily[], app: string): string[] =>
  families.flatMap((f) => f.samples.filter((s) => s.labels.app_name === app).map((s) => `${s.name}${JSON.stringify(Object.entries(s.labels).filter(([k]) => k !== 'app_name').sort())} ${s.value}`)).sort()

/** Merges one case (`app_name="case"`) with the neighbour into `out`; what a test needs to judge it. */
export function mergeCase(c: Case, out: Format) {
  const neighbour = { body: NEIGHBOUR, format: 'text' as const, labels: { app_name: 'neighbour' } }
  if (c.invalidUtf8) return { merged: mergeBodies([neighbour], out), dropped: true, reason: 'body is not valid UTF-8' }
  const merged = mergeBodies([{ body: c.body, format: c.format, labels: { app_name: 'case' } }, neighbour], out)
  return { merged, dropped: merged.failures.some((f) => f.sourceIndex === 0), reason: merged.failures[0]?.error.message }
}
