/**
 * Scale-out as docs/scaling.md describes it, with the real engines: two replicas of the compiled
 * binary behind a load balancer (Debian's nginx, round robin, standing in for the gorouter) and
 * two real Prometheus servers that split the `/discovery` targets between them with `hashmod`
 * relabelling. Every instance is scraped by exactly one server and all arrive; both replicas
 * serve; the two shards of the merged `/metrics`, asked through the balancer, are disjoint and
 * together complete.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, prometheusRequirements, startPrometheus, terminate, waitFor, type Series } from '../support/e2e.ts'
import { startNginx } from '../support/nginx.ts'
import { BINARY, findProgram, missing } from '../support/requirements.ts'
import { simulatorYaml } from '../support/sim-config.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { startServer, type RunningServer } from '../ship/support.ts'

const { prometheusBin, skip: prometheusSkip } = prometheusRequirements()
const nginxBin = findProgram('nginx')
const skip = prometheusSkip ?? missing([{ name: 'nginx', present: !!nginxBin, hint: 'apt-get install nginx' }])

const APPS = 8
const INSTANCES = 2

/** The `scrape_configs` item of Prometheus number `shard` of 2: the `/discovery` targets whose instance id hashes to it. */
const shardJob = (balancer: string, shard: number) => `  - job_name: cf-apps
    http_sd_configs: [{ url: '${balancer}/discovery', refresh_interval: 5s }]
    relabel_configs:
      - source_labels: [__meta_promregator_target_instanceId]
        modulus: 2
        target_label: __tmp_shard
        action: hashmod
      - source_labels: [__tmp_shard]
        regex: '${shard}'
        action: keep
      - source_labels: [__meta_promregator_target_instanceId]
        target_label: instance_id
`

describe.skipIf(skip !== undefined)('two replicas behind a load balancer, two Prometheus servers splitting the targets', () => {
  let sim: Simulator
  let dir: string
  const replicas: RunningServer[] = []
  let nginx: ChildProcess | undefined
  let balancer: string
  const servers: Array<{ child: ChildProcess; query: (promql: string) => Promise<Series[]>; url: string }> = []

  beforeAll(async () => {
    sim = await startSimulator(oneSpace('acme', 'prod', Array.from({ length: APPS }, (_, i) => ({ name: `app-${i}`, instances: INSTANCES, routes: [{ host: `app-${i}` }] }))))
    dir = mkdtempSync(join(tmpdir(), 'promregator-scale-out-'))
    writeFileSync(join(dir, 'promregator.yml'), `${simulatorYaml(sim)}  targets:\n    - { orgName: acme, spaceName: prod, protocol: http }\n`)
    for (let i = 0; i < 2; i++) replicas.push(await startServer(BINARY, ['--config', join(dir, 'promregator.yml')], { cwd: dir, env: { PORT: '0' } }))
    const port = await freePort()
    balancer = `http://127.0.0.1:${port}`
    nginx = startNginx(
      nginxBin!,
      dir,
      `  upstream replicas { ${replicas.map((r) => `server 127.0.0.1:${r.port};`).join(' ')} }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://replicas;
      proxy_set_header Host $http_host;
    }
  }`,
    )
    // Each replica discovers on its own: both ready before Prometheus asks the balancer for targets.
    for (const replica of replicas) await waitFor('a replica to be ready', async () => ((await fetch(`${replica.base}/-/ready`)).status === 200 ? true : undefined), 30_000)
    await waitFor('the balancer to answer /-/ready', async () => ((await fetch(`${balancer}/-/ready`)).status === 200 ? true : undefined), 30_000)
    for (let shard = 0; shard < 2; shard++) {
      const promDir = join(dir, `prometheus-${shard}`)
      mkdirSync(promDir)
      const { child, query, url } = await startPrometheus(prometheusBin!, promDir, shardJob(balancer, shard))
      servers.push({ child, query, url })
    }
  }, 90_000)

  afterAll(async () => {
    await Promise.all([...servers.map((s) => terminate(s.child)), terminate(nginx), ...replicas.map((r) => r.stop())])
    await sim?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('scrapes every instance exactly once across the two servers, all up', async () => {
    const wanted = APPS * INSTANCES
    const perServer = await waitFor(
      'both servers to have scraped their share',
      async () => {
        // The product's own-metrics target (in /discovery too) has no instance id: left out here.
        const ups = await Promise.all(servers.map((s) => s.query('up{job="cf-apps",instance_id!=""}')))
        const total = ups.reduce((n, u) => n + u.length, 0)
        return total === wanted && ups.every((u) => u.length > 0 && u.every((s) => s.value[1] === '1')) ? ups : undefined
      },
      60_000,
    )
    const ids = perServer.map((ups) => new Set(ups.map((s) => s.metric.instance_id!)))
    expect([...ids[0]!].filter((id) => ids[1]!.has(id))).toEqual([])
    expect(ids[0]!.size + ids[1]!.size).toBe(wanted)
    // The instances' own series arrived too (the simulated apps' metrics).
    const samples = await Promise.all(servers.map((s) => s.query('count(sim_instance_index)')))
    expect(samples.reduce((n, r) => n + Number(r[0]?.value[1] ?? 0), 0)).toBe(wanted)
  }, 70_000)

  it('has both replicas serve the scrapes', async () => {
    for (const replica of replicas) {
      const own = await (await fetch(`${replica.base}/promregatorMetrics`)).text()
      const singles = [...own.matchAll(/^promregator_http_requests_total\{[^}]*route="\/singleTargetMetrics[^"]*"[^}]*\} (\S+)$/gm)].reduce((n, m) => n + Number(m[1]), 0)
      expect(singles, own.split('\n').filter((l) => l.startsWith('promregator_http_requests_total')).join('\n')).toBeGreaterThan(0)
    }
  })

  it('answers the two shards of /metrics through the balancer, disjoint and together complete', async () => {
    const instancesOf = async (shard: number) => {
      const body = await (await fetch(`${balancer}/metrics?shard=${shard}&shards=2`)).text()
      return new Set([...body.matchAll(/^promregator_up\{[^}]*cf_instance_id="([^"]+)"[^}]*\} 1$/gm)].map((m) => m[1]!))
    }
    const [zero, one] = [await instancesOf(0), await instancesOf(1)]
    expect([...zero].filter((id) => one.has(id))).toEqual([])
    expect(zero.size + one.size).toBe(APPS * INSTANCES)
    // Any replica answers any shard the same way.
    expect(await instancesOf(0)).toEqual(zero)
  })
})
