/**
 * docs/grafana-dashboard.json and docs/alerts.yml against the real product: the compiled binary
 * discovers two simulated foundations and a real Prometheus scrapes its own metrics (job
 * `promregator`) and the merged `/metrics` (job `cf-apps`). Every metric name the dashboard and
 * the alerts read must be one Prometheus has from the binary, every dashboard query (Grafana's
 * variables replaced) must evaluate and return data, every alert expression must evaluate.
 * The foundations are set up so that each panel has something to show: a TYPE conflict between
 * two instances, instances that answer 401, one 429 and one 503 from a Cloud Controller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prometheusRequirements, startBinaryAndPrometheus, staticJob, waitFor, type BinaryAndPrometheus } from '../support/e2e.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { alertRules, allPanels, dashboardQueries, metricNames, readDashboard, substituteMacros } from './ops-files.ts'

const { prometheusBin, skip } = prometheusRequirements()

const GAUGE_BODY = '# TYPE queue_depth gauge\nqueue_depth{queue="mail"} 3\n'
const COUNTER_BODY = '# TYPE queue_depth counter\nqueue_depth{queue="mail"} 9\n'

const MACROS = { rateInterval: '20s', job: 'promregator', targetJob: 'cf-apps', foundation: '.*' }

interface Answer {
  status: 'success' | 'error'
  error?: string
  data?: { result: unknown[] }
}

describe.skipIf(skip !== undefined)('the Grafana dashboard and the alerts against the binary and a real Prometheus', () => {
  let eu: Simulator
  let us: Simulator
  let stack: BinaryAndPrometheus | undefined
  const dashboard = readDashboard()

  const ask = async (promql: string): Promise<Answer> => (await fetch(`${stack!.promUrl}/api/v1/query?query=${encodeURIComponent(promql)}`)).json() as Promise<Answer>

  beforeAll(async () => {
    eu = await startSimulator(
      oneSpace('acme', 'dev', [
        { name: 'shop', instances: 2, routes: [{ host: 'shop' }], format: 'text', body: () => GAUGE_BODY },
        { name: 'queue', routes: [{ host: 'queue' }], format: 'text', body: () => COUNTER_BODY },
        { name: 'locked', routes: [{ host: 'locked' }], basicAuth: { username: 'metrics', password: 'not-configured' } },
      ]),
    )
    us = await startSimulator(oneSpace('acme', 'prod', [{ name: 'shop-us', routes: [{ host: 'shop-us' }] }]))
    // Something for the "rate-limited and failed requests" panel; discovery retries past both.
    eu.faults.rateLimitNext(1, { retryAfterSeconds: 1, pathPrefix: '/v3/apps' })
    eu.faults.failNext(1, { pathPrefix: '/v3/routes' })
    const foundation = (name: string, sim: Simulator) =>
      `  - name: ${name}\n    api_host: ${sim.apiUrl}\n    username: ${sim.credentials.username}\n    password: ${sim.credentials.password}\n    request: { backoff: 20 }\n`
    const proxy = new URL(eu.proxyUrl)
    stack = await startBinaryAndPrometheus({
      name: 'dashboard',
      prometheusBin: prometheusBin!,
      // Scrapes go through eu's router, which does not know us's apps: those are down (unknown route).
      configYaml: `cf:
${foundation('eu', eu)}${foundation('us', us)}promregator:
  scraping: { proxy: { host: ${proxy.hostname}, port: ${proxy.port} }, maxProcessingTime: 1000 }
  targets:
    - { foundation: eu, orgName: acme, spaceName: dev, protocol: http }
    - { foundation: us, orgName: acme, spaceName: prod, protocol: http }
`,
      jobs: (url) => staticJob('promregator', url, '/promregatorMetrics') + staticJob('cf-apps', url),
    })
  }, 90_000)

  afterAll(async () => {
    await stack?.stop()
    await Promise.all([eu?.close(), us?.close()])
  })

  it('is a dashboard Grafana can import: unique panel ids, one data source variable, only defined variables', () => {
    const panels = allPanels(dashboard)
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length)
    const variables = new Set(dashboard.templating.list.map((v) => v.name))
    expect([...variables].sort()).toEqual(['datasource', 'foundation', 'job', 'target_job'])
    for (const panel of panels.filter((p) => p.targets)) expect(panel.datasource?.uid, panel.title).toBe('${datasource}')
    for (const { where, expr } of dashboardQueries(dashboard)) {
      for (const used of expr.match(/\$\w+/g) ?? []) expect(used === '$__rate_interval' || variables.has(used.slice(1)), `${where}: ${used}`).toBe(true)
    }
  })

  it('reads only metric names Prometheus gets from the binary', async () => {
    const wanted = [...new Set([...dashboardQueries(dashboard), ...alertRules()].flatMap((q) => metricNames(q.expr)))].sort()
    expect(wanted.length).toBeGreaterThan(15)
    let absent: string[] = wanted
    await waitFor(
      'every metric name of the dashboard and alerts in Prometheus',
      async () => {
        const answer = (await (await fetch(`${stack!.promUrl}/api/v1/label/__name__/values`)).json()) as { data: string[] }
        absent = wanted.filter((name) => !answer.data.includes(name))
        return absent.length === 0 ? true : undefined
      },
      60_000,
    ).catch(() => undefined)
    expect(absent).toEqual([])
  }, 70_000)

  it('evaluates every dashboard query with data to show', async () => {
    const queries = dashboardQueries(dashboard).map((q) => ({ ...q, promql: substituteMacros(q.expr, MACROS) }))
    let empty: string[] = queries.map((q) => q.where)
    await waitFor(
      'data for every dashboard query',
      async () => {
        const answers = await Promise.all(queries.map(async (q) => ({ q, answer: await ask(q.promql) })))
        const errors = answers.filter((a) => a.answer.status !== 'success')
        empty = [
          ...errors.map((e) => `${e.q.where}: ${e.answer.error}`),
          ...answers.filter((a) => a.answer.status === 'success' && a.answer.data!.result.length === 0).map((a) => `${a.q.where}: no data for ${a.q.promql}`),
        ]
        return empty.length === 0 ? true : undefined
      },
      60_000,
    ).catch(() => undefined)
    expect(empty).toEqual([])
  }, 70_000)

  it('fills the variables with the jobs and foundations there are', async () => {
    const labelOf = async (promql: string, label: string) =>
      [...new Set(((await ask(promql)).data!.result as Array<{ metric: Record<string, string> }>).map((s) => s.metric[label]))].sort()
    const variable = (name: string) => dashboardQueries(dashboard).find((q) => q.where === `variable ${name}`)!.expr
    expect(await labelOf(substituteMacros(variable('job'), MACROS), 'job')).toEqual(['promregator'])
    expect(await labelOf(substituteMacros(variable('target_job'), MACROS), 'job')).toEqual(['cf-apps'])
    expect(await labelOf(substituteMacros(variable('foundation'), MACROS), 'foundation')).toEqual(['eu', 'us'])
  })

  it('evaluates every alert expression', async () => {
    for (const rule of alertRules()) {
      const answer = await ask(rule.expr)
      expect(answer.status, `${rule.alert}: ${answer.error}`).toBe('success')
    }
  })
})
