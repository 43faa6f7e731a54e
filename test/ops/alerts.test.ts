/**
 * docs/alerts.yml is valid for Prometheus (`promtool check rules`) and each alert fires when its
 * condition holds and stays quiet when it does not (`promtool test rules`, one scenario of each
 * kind per alert, written here). The annotations expected are those of the file itself, so the
 * check is on when and with which labels an alert fires; a rule whose expression can never fire
 * fails the "fires" scenario (the last test proves the scenarios notice).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { findProgram, missing } from '../support/requirements.ts'
import { ALERTS_FILE, alertRules, type AlertRule } from './ops-files.ts'

const promtool = findProgram('promtool')
const skip = missing([{ name: 'promtool', present: !!promtool, hint: 'apt-get install prometheus' }])

const OWN = 'job="promregator",instance="promregator.apps.example.com:443"'
const OWN_LABELS = { job: 'promregator', instance: 'promregator.apps.example.com:443' }

interface Series {
  series: string
  values: string
}

/** When an alert must fire (with these labels besides the rule's own) and when it must not. */
interface Scenario {
  fires: Array<{ input: Series[]; at: string; labels: Record<string, string> }>
  quiet: Array<{ input: Series[]; at: string }>
}

const SCENARIOS: Record<string, Scenario> = {
  PromregatorOwnScrapeAbsent: {
    fires: [{ input: [{ series: 'promregator_build_info{job="other",instance="x:1",version="0.1.0"}', values: '1x20' }], at: '10m', labels: { job: 'promregator' } }],
    quiet: [{ input: [{ series: `promregator_build_info{${OWN},version="0.1.0"}`, values: '1x20' }], at: '10m' }],
  },
  PromregatorDiscoveryStale: {
    // Above 900 s from minute 16 on, five minutes later the alert fires.
    fires: [{ input: [{ series: `promregator_discovery_age_seconds{${OWN}}`, values: '0+60x30' }], at: '25m', labels: OWN_LABELS }],
    // A successful run at minute 15 resets the age.
    quiet: [{ input: [{ series: `promregator_discovery_age_seconds{${OWN}}`, values: '0+60x14 0+60x15' }], at: '25m' }],
  },
  PromregatorPlatformApiFailing: {
    fires: [
      {
        input: [
          { series: `promregator_cf_requests_total{${OWN},endpoint="/v3/apps",status="200"}`, values: '0+10x40' },
          { series: `promregator_cf_requests_total{${OWN},endpoint="/v3/apps",status="503"}`, values: '0+5x40' },
          { series: `promregator_cf_requests_total{${OWN},endpoint="/v3/routes",status="429"}`, values: '0+5x40' },
        ],
        at: '30m',
        labels: OWN_LABELS,
      },
    ],
    quiet: [
      {
        input: [
          { series: `promregator_cf_requests_total{${OWN},endpoint="/v3/apps",status="200"}`, values: '0+10x40' },
          { series: `promregator_cf_requests_total{${OWN},endpoint="/v3/apps",status="503"}`, values: '0+2x40' },
          { series: `promregator_cf_requests_total{${OWN},endpoint="/v3/apps",status="404"}`, values: '0+10x40' },
        ],
        at: '30m',
      },
    ],
  },
  PromregatorTokenRequestsFailing: {
    fires: [{ input: [{ series: `promregator_cf_token_requests_total{${OWN},grant="password",outcome="error"}`, values: '0+1x40' }], at: '30m', labels: OWN_LABELS }],
    // Failed for five minutes long ago, fine since.
    quiet: [
      {
        input: [
          { series: `promregator_cf_token_requests_total{${OWN},grant="password",outcome="error"}`, values: '0+1x5 6x35' },
          { series: `promregator_cf_token_requests_total{${OWN},grant="password",outcome="ok"}`, values: '0+1x40' },
        ],
        at: '30m',
      },
    ],
  },
  PromregatorManyTargetsDown: {
    fires: [
      {
        input: [
          { series: `promregator_scrapes_total{${OWN},outcome="success"}`, values: '0+40x40' },
          { series: `promregator_scrapes_total{${OWN},outcome="failure"}`, values: '0+20x40' },
        ],
        at: '30m',
        labels: OWN_LABELS,
      },
    ],
    quiet: [
      {
        input: [
          { series: `promregator_scrapes_total{${OWN},outcome="success"}`, values: '0+40x40' },
          { series: `promregator_scrapes_total{${OWN},outcome="failure"}`, values: '0+5x40' },
        ],
        at: '30m',
      },
    ],
  },
  PromregatorScrapeFailureReasonRising: {
    fires: [
      // One timeout a minute for 70 minutes, then one a second.
      { input: [{ series: `promregator_scrape_errors_total{${OWN},reason="timeout"}`, values: '0+1x70 130+60x30' }], at: '85m', labels: { ...OWN_LABELS, reason: 'timeout' } },
      // A reason never seen before, arriving at one a second.
      { input: [{ series: `promregator_scrape_errors_total{${OWN},reason="unauthorized"}`, values: '_x60 0+60x30' }], at: '75m', labels: { ...OWN_LABELS, reason: 'unauthorized' } },
    ],
    quiet: [
      // As many failures as for the last hours: a steady state, not a rise.
      { input: [{ series: `promregator_scrape_errors_total{${OWN},reason="timeout"}`, values: '0+60x100' }], at: '90m' },
      // A rise, but too few to matter (under 0.05/s).
      { input: [{ series: `promregator_scrape_errors_total{${OWN},reason="timeout"}`, values: '0x70 0+2x30' }], at: '90m' },
    ],
  },
  PromregatorMemoryNearLimit: {
    fires: [{ input: [{ series: `process_resident_memory_bytes{${OWN}}`, values: '250000000x30' }], at: '20m', labels: OWN_LABELS }],
    quiet: [{ input: [{ series: `process_resident_memory_bytes{${OWN}}`, values: '200000000x30' }], at: '20m' }],
  },
}

/** promtool's unit-test document for `rules` (an absolute path) with every scenario. */
function unitTests(rulesFile: string, rules: AlertRule[]): string {
  const tests = rules.flatMap((rule) => {
    const scenario = SCENARIOS[rule.alert]!
    const fires = scenario.fires.map((f) => ({
      interval: '1m',
      input_series: f.input,
      alert_rule_test: [{ eval_time: f.at, alertname: rule.alert, exp_alerts: [{ exp_labels: { ...rule.labels, ...f.labels }, exp_annotations: rule.annotations }] }],
    }))
    const quiet = scenario.quiet.map((q) => ({ interval: '1m', input_series: q.input, alert_rule_test: [{ eval_time: q.at, alertname: rule.alert, exp_alerts: [] }] }))
    return [...fires, ...quiet]
  })
  return stringify({ rule_files: [rulesFile], evaluation_interval: '1m', tests })
}

describe.skipIf(skip !== undefined)('docs/alerts.yml', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'promregator-alerts-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const promtoolRun = (args: string[]) => spawnSync(promtool!, args, { encoding: 'utf8' })

  it('passes promtool check rules', () => {
    const check = promtoolRun(['check', 'rules', ALERTS_FILE])
    expect(check.status, check.stdout + check.stderr).toBe(0)
    expect(check.stdout).toContain(`SUCCESS: ${alertRules().length} rules found`)
  })

  it('gives every alert a severity and the annotations an operator reads, and a scenario here', () => {
    for (const rule of alertRules()) {
      expect(['critical', 'warning', 'info'], rule.alert).toContain(rule.labels.severity)
      expect(Object.keys(rule.annotations).sort(), rule.alert).toEqual(['description', 'runbook', 'summary'])
      expect(SCENARIOS[rule.alert], `a promtool scenario for ${rule.alert}`).toBeDefined()
    }
    expect(Object.keys(SCENARIOS).sort()).toEqual(alertRules().map((r) => r.alert).sort())
  })

  it('fires each alert when its condition holds and keeps it quiet otherwise (promtool test rules)', () => {
    const file = join(dir, 'alerts.test.yml')
    writeFileSync(file, unitTests(ALERTS_FILE, alertRules()))
    const run = promtoolRun(['test', 'rules', file])
    expect(run.status, run.stdout + run.stderr).toBe(0)
  })

  it('would notice a rule that can never fire', () => {
    const broken = join(dir, 'broken.yml')
    const text = readFileSync(ALERTS_FILE, 'utf8').replace(/expr: absent\(promregator_build_info\{job="promregator"\}\)/, 'expr: absent(promregator_build_info{job="promregator"}) and on() vector(0) > 1')
    expect(text).toContain('vector(0) > 1')
    writeFileSync(broken, text)
    const file = join(dir, 'broken.test.yml')
    writeFileSync(file, unitTests(broken, alertRules()))
    const run = promtoolRun(['test', 'rules', file])
    expect(run.status).not.toBe(0)
    expect(run.stdout + run.stderr).toContain('PromregatorOwnScrapeAbsent')
  })
})
