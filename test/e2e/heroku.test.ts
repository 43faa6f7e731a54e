/**
 * End to end with Heroku: the compiled binary serving a simulated Cloud Foundry foundation and a
 * simulated Heroku account (Platform API and private DNS, its own process) side by side, and a real
 * Prometheus with a static job on `/metrics` and an http_sd job on `/discovery`. Every `up` dyno's
 * series arrive with their labels and values, the crashed dyno is `promregator_up 0`, every scrape
 * of the binary is up, `promtool check metrics` accepts `/metrics`, and `/discovery`, `/metrics`
 * and the status page hold both platforms.
 */
import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { discoveryJob, prometheusRequirements, startBinaryAndPrometheus, staticJob, waitFor, type BinaryAndPrometheus } from '../support/e2e.ts'
import { combinedDemoConfigYaml, spawnSimulator, type SimInfo } from '../support/sim-process.ts'

const { prometheusBin, promtoolBin, skip } = prometheusRequirements()

describe.skipIf(skip !== undefined)('binary + simulated Cloud Foundry and Heroku + real Prometheus', () => {
  let sim: Awaited<ReturnType<typeof spawnSimulator>>
  let info: SimInfo
  let stack: BinaryAndPrometheus | undefined

  /** Dynos the demo's Heroku account runs, by app and dyno name, with their state. */
  const dynos = () => info.heroku!.apps.flatMap((a) => a.dynos.map((d) => ({ app: a.name, space: a.space, dyno: d.name, state: d.state })))

  beforeAll(async () => {
    sim = await spawnSimulator(['--heroku'])
    info = sim.info
    stack = await startBinaryAndPrometheus({
      name: 'heroku',
      prometheusBin: prometheusBin!,
      configYaml: combinedDemoConfigYaml(info),
      jobs: (url) =>
        staticJob('static', url) +
        discoveryJob(url, [
          ['instanceId', 'instance'],
          ['platform', 'platform'],
          ['teamName', 'team_name'],
          ['spaceName', 'space_name'],
          ['applicationName', 'app_name'],
          ['dynoName', 'dyno_name'],
        ]),
    })
  }, 60_000)

  afterAll(async () => {
    await stack?.stop()
    await sim?.stop()
  })

  it('every up dyno arrives on both jobs with its labels and value; every scrape of the binary is up', async () => {
    // Dynos the product knows: in the topology of acme-prod only the running ones; in acme-staging (no topology) all, with their states.
    const known = dynos().filter((d) => d.space === 'acme-staging' || d.state === 'up')
    const running = known.filter((d) => d.state === 'up')
    const series = await waitFor('every running dyno on both jobs', async () => {
      const result = await stack!.query('sim_dyno_requests_total')
      return result.filter((s) => s.metric.job === 'static').length === running.length && result.filter((s) => s.metric.job === 'sd').length === running.length ? result : undefined
    })
    for (const d of running) {
      const number = d.dyno.split('.')[1]!
      const onStatic = series.find((s) => s.metric.job === 'static' && s.metric.app_name === d.app && s.metric.dyno_name === d.dyno)
      expect(onStatic?.metric, `${d.app} ${d.dyno}`).toMatchObject({ team_name: 'acme', space_name: d.space, process_type: d.dyno.split('.')[0], dyno_number: number, foundation: 'sim-heroku' })
      expect(Number(onStatic!.value[1])).toBe(100 + Number(number))
      const onSd = series.find((s) => s.metric.job === 'sd' && s.metric.app_name === d.app && s.metric.dyno_name === d.dyno)
      expect(onSd?.metric).toMatchObject({ platform: 'heroku', team_name: 'acme', space_name: d.space })
    }
    const up = await stack!.query('up')
    expect(up.length).toBeGreaterThan(running.length)
    expect(up.filter((s) => s.value[1] !== '1')).toEqual([])
    // The crashed dyno that discovery knows of is reported, not scraped.
    const promregatorUp = await stack!.query('promregator_up{job="static",foundation="sim-heroku"}')
    expect(promregatorUp.map((s) => `${s.metric.app_name}/${s.metric.dyno_name}=${s.value[1]}`).sort()).toEqual(known.map((d) => `${d.app}/${d.dyno}=${d.state === 'up' ? 1 : 0}`).sort())
  }, 60_000)

  it('one process serves both platforms: /discovery, /metrics and the status page hold both', async () => {
    const groups = (await (await fetch(`${stack!.productUrl}/discovery`)).json()) as Array<{ labels: Record<string, string> }>
    expect(new Set(groups.map((g) => g.labels.__meta_promregator_target_foundation).filter(Boolean))).toEqual(new Set(['sim-cf', 'sim-heroku']))
    const metrics = await (await fetch(`${stack!.productUrl}/metrics`, { headers: { accept: 'text/plain;version=0.0.4' } })).text()
    expect(metrics).toMatch(/^sim_requests_total\{.*foundation="sim-cf"/m)
    expect(metrics).toMatch(/^sim_dyno_requests_total\{.*foundation="sim-heroku"/m)
    const page = (await (await fetch(`${stack!.productUrl}/`, { headers: { accept: 'application/json' } })).json()) as { platforms: Array<{ name: string; info: { kind: string } }> }
    expect(page.platforms.map((p) => `${p.name}:${p.info.kind}`)).toEqual(['sim-cf:cf', 'sim-heroku:heroku'])
    const html = await (await fetch(`${stack!.productUrl}/?q=orders-staging`)).text()
    expect(html).toContain('dyno web.2 is crashed')
  })

  it('promtool check metrics accepts /metrics in the text format', async () => {
    const response = await fetch(`${stack!.productUrl}/metrics`, { headers: { accept: 'text/plain;version=0.0.4' } })
    const check = spawnSync(promtoolBin!, ['check', 'metrics'], { input: await response.text(), encoding: 'utf8' })
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0)
  })
})
