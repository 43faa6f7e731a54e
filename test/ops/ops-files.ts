/**
 * @module test/ops/ops-files
 * Reads what the repository ships for operators — the alerting rules (docs/alerts.yml) and the
 * Grafana dashboard (docs/grafana-dashboard.json) — into the shapes the tests check: each alert
 * with its expression, labels and annotations; each dashboard query with its panel; and the
 * metric names an expression reads.
 */
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'

export const ALERTS_FILE = new URL('../../docs/alerts.yml', import.meta.url).pathname
export const DASHBOARD_FILE = new URL('../../docs/grafana-dashboard.json', import.meta.url).pathname

/** One alerting rule of docs/alerts.yml. */
export interface AlertRule {
  alert: string
  expr: string
  for?: string
  labels: Record<string, string>
  annotations: Record<string, string>
}

/** Every alerting rule of docs/alerts.yml, across its groups. */
export function alertRules(): AlertRule[] {
  const doc = parseYaml(readFileSync(ALERTS_FILE, 'utf8')) as { groups: Array<{ rules: AlertRule[] }> }
  return doc.groups.flatMap((g) => g.rules)
}

/** One query of the dashboard: a panel's target or a template variable's query. */
export interface DashboardQuery {
  /** Panel title, or `variable <name>`. */
  where: string
  expr: string
}

interface Panel {
  id: number
  title: string
  type: string
  datasource?: { uid?: string }
  targets?: Array<{ expr: string; refId: string; datasource?: { uid?: string } }>
  panels?: Panel[]
}

/** The dashboard document, as far as the tests read it. */
export interface Dashboard {
  title: string
  uid: string
  panels: Panel[]
  templating: { list: Array<{ name: string; type: string; definition?: string; query?: unknown; datasource?: { uid?: string } }> }
}

export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard
}

/** Every panel, rows' nested panels included. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])])
}

/** Every PromQL expression of the dashboard: panel targets and `label_values(...)` variables (as the series they read). */
export function dashboardQueries(dashboard: Dashboard): DashboardQuery[] {
  const targets = allPanels(dashboard).flatMap((p) => (p.targets ?? []).map((t) => ({ where: `${p.title} (${t.refId})`, expr: t.expr })))
  const variables = dashboard.templating.list
    .filter((v) => v.type === 'query' && v.definition)
    .map((v) => {
      const labelValues = /^label_values\((.*),\s*\w+\)$/.exec(v.definition!)
      return { where: `variable ${v.name}`, expr: labelValues ? labelValues[1]! : v.definition! }
    })
  return [...targets, ...variables]
}

/** Grafana's variables and macros replaced by values Prometheus can evaluate. */
export function substituteMacros(expr: string, values: { rateInterval: string; job: string; targetJob: string; foundation: string }): string {
  return expr
    .replaceAll('$__rate_interval', values.rateInterval)
    .replaceAll('$target_job', values.targetJob)
    .replaceAll('$job', values.job)
    .replaceAll('$foundation', values.foundation)
}

/** The product's metric names an expression reads (they all start with `promregator_` or `process_`). */
export function metricNames(expr: string): string[] {
  return [...new Set(expr.match(/\b(?:promregator|process)_[a-z0-9_]+\b/g) ?? [])]
}
