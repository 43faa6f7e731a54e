/**
 * End to end: the compiled binary, the simulator (its own process) and a real Prometheus with a
 * static job on /metrics and an http_sd job on /discovery. Assertions are queries against
 * Prometheus's HTTP API; `promtool check metrics` validates what /metrics writes.
 */
import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { discoveryJob, prometheusRequirements, startBinaryAndPrometheus, staticJob, waitFor, type BinaryAndPrometheus, type Series } from '../support/e2e.ts'
import { demoConfigYaml, spawnSimulator, type SimInfo } from '../support/sim-process.ts'
import { expectedSampleValues } from '../support/simulator/index.ts'

const { prometheusBin, promtoolBin, skip } = prometheusRequirements()

describe.skipIf(skip !== undefined)('binary + simulator + real Prometheus', () => {
  let sim: Awaited<ReturnType<typeof spawnSimulator>>
  let info: SimInfo
  let stack: BinaryAndPrometheus | undefined
  let productUrl: string
  let promUrl: string
  let query: (promql: string) => Promise<Series[]>

  // Instances of the demo landscape that Prometheus should see: every desired instance of a started app.
  const expectedInstances = () => info.apps.filter((a) => a.state === 'STARTED').flatMap((a) => a.instanceStates.map((state, index) => ({ app: a, index, running: state === 'RUNNING' })))

  beforeAll(async () => {
    sim = await spawnSimulator()
    info = sim.info
    stack = await startBinaryAndPrometheus({
      name: 'prometheus',
      prometheusBin: prometheusBin!,
      configYaml: demoConfigYaml(info),
      jobs: (url) =>
        staticJob('static', url) +
        discoveryJob(url, [
          ['instanceId', 'instance'],
          ['instanceId', 'cf_instance_id'],
          ['orgName', 'org_name'],
          ['spaceName', 'space_name'],
          ['applicationName', 'app_name'],
          ['instanceNumber', 'cf_instance_number'],
        ]),
    })
    ;({ productUrl, promUrl, query } = stack)
  }, 60_000)

  afterAll(async () => {
    await stack?.stop()
    await sim?.stop()
  })

  it('every scrape of the binary is up, on both jobs', async () => {
    const instances = expectedInstances()
    const up = await waitFor('all targets scraped', async () => {
      const result = await query('up')
      const sd = result.filter((s) => s.metric.job === 'sd')
      // one sd target per instance plus /promregatorMetrics
      return result.some((s) => s.metric.job === 'static') && sd.length === instances.length + 1 ? result : undefined
    })
    expect(up.every((s) => s.value[1] === '1')).toBe(true)
  }, 60_000)

  it('the static /metrics job carries every running instance with its labels and values', async () => {
    const instances = expectedInstances()
    const running = instances.filter((i) => i.running)
    const series = await waitFor('sim series on the static job', async () => {
      const result = await query('sim_requests_total{job="static"}')
      return result.length === running.length ? result : undefined
    })
    for (const { app, index } of running) {
      const s = series.find((x) => x.metric.cf_instance_id === `${app.guid}:${index}`)
      expect(s, `${app.name}/${index}`).toBeDefined()
      expect(s!.metric).toMatchObject({ org_name: app.org, space_name: app.space, app_name: app.name, cf_instance_number: String(index) })
      expect(Number(s!.value[1])).toBe(expectedSampleValues(app.guid, index).requests)
    }
    const promregatorUp = await query('promregator_up{job="static"}')
    expect(promregatorUp).toHaveLength(instances.length)
    for (const { app, index, running: isRunning } of instances) {
      const s = promregatorUp.find((x) => x.metric.cf_instance_id === `${app.guid}:${index}`)
      expect(s?.value[1], `${app.name}/${index}`).toBe(isRunning ? '1' : '0')
    }
  }, 60_000)

  it('the http_sd job scrapes each instance through /singleTargetMetrics', async () => {
    const running = expectedInstances().filter((i) => i.running)
    const series = await waitFor('sim series on the sd job', async () => {
      const result = await query('sim_instance_index{job="sd"}')
      return result.length === running.length ? result : undefined
    })
    for (const s of series) expect(s.value[1]).toBe(s.metric.cf_instance_number)
    const requests = await query('sim_requests_total{job="sd"}')
    for (const { app, index } of running) {
      const s = requests.find((x) => x.metric.instance === `${app.guid}:${index}`)
      expect(s?.metric.app_name).toBe(app.name)
      expect(Number(s?.value[1])).toBe(expectedSampleValues(app.guid, index).requests)
    }
    const down = await query('promregator_up{job="sd"} == 0')
    expect(down.map((s) => s.metric.instance).sort()).toEqual(
      expectedInstances()
        .filter((i) => !i.running)
        .map((i) => `${i.app.guid}:${i.index}`)
        .sort(),
    )
  }, 60_000)

  // promtool lints the text format only (it reads OpenMetrics as text and trips over `_total`);
  // the OpenMetrics output is validated by the static job above, which Prometheus scrapes with
  // OpenMetrics first in its Accept header.
  it('promtool check metrics accepts /metrics in the text format', async () => {
    const response = await fetch(`${productUrl}/metrics`, { headers: { accept: 'text/plain;version=0.0.4' } })
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    const check = spawnSync(promtoolBin!, ['check', 'metrics'], { input: await response.text(), encoding: 'utf8' })
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0)
  })

  it('Prometheus ingests /metrics as OpenMetrics on the static job', async () => {
    const response = await fetch(`${productUrl}/metrics`, {
      headers: { accept: 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' },
    })
    expect(response.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8')
    const failures = await query('prometheus_target_scrapes_sample_out_of_order_total + prometheus_target_scrapes_sample_duplicate_timestamp_total')
    expect(failures.every((s) => s.value[1] === '0')).toBe(true)
    const meta = (await (await fetch(`${promUrl}/api/v1/targets/metadata?match_target={job="static"}&metric=sim_requests`)).json()) as { data: Array<{ type: string }> }
    expect(meta.data.map((m) => m.type)).toContain('counter')
  })
})
