/**
 * End to end, issue #6 acceptance point 3: a merged `/metrics` of instances that mix text and
 * OpenMetrics, with a target label colliding with ours and one conflicting TYPE, passes
 * `promtool check metrics` and is ingested by a real Prometheus with the expected series.
 * The simulator runs in this process; the compiled binary and Prometheus are child processes.
 */
import { spawnSync } from 'node:child_process'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prometheusRequirements, startBinaryAndPrometheus, staticJob, waitFor, type BinaryAndPrometheus, type Series } from '../support/e2e.ts'
import { simulatorYaml } from '../support/sim-config.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'

const { prometheusBin, promtoolBin, skip } = prometheusRequirements()

/** Text 0.0.4 instance: declares `queue_depth` a gauge. */
const TEXT_BODY = `# HELP shop_orders_total Orders placed.
# TYPE shop_orders_total counter
shop_orders_total{channel="web"} 10
shop_orders_total{channel="app"} 5
# HELP queue_depth Items waiting – in “queues” of mail (ü, €).
# TYPE queue_depth gauge
queue_depth{queue="mail"} 3
# HELP request_seconds Request duration.
# TYPE request_seconds histogram
request_seconds_bucket{le="0.1"} 1
request_seconds_bucket{le="+Inf"} 2
request_seconds_sum 0.3
request_seconds_count 2
`

/** OpenMetrics instance: same families in OpenMetrics naming, one sample carrying our label `app_name`. */
const OM_BODY = `# HELP shop_orders Orders placed.
# TYPE shop_orders counter
shop_orders_total{channel="web",app_name="spoofed"} 20
shop_orders_created{channel="web",app_name="spoofed"} 1700000000
# HELP queue_depth Items waiting.
# TYPE queue_depth gauge
queue_depth{queue="mail"} 4
# HELP request_seconds Request duration.
# TYPE request_seconds histogram
# UNIT request_seconds seconds
request_seconds_bucket{le="0.1"} 3 # {trace_id="abc"} 0.05 1700000000.5
request_seconds_bucket{le="+Inf"} 4
request_seconds_sum 0.5
request_seconds_count 4
request_seconds_created 1700000000
# EOF
`

/** Text instance whose `queue_depth` is a counter: that family must be dropped for it alone. */
const CONFLICT_BODY = `# HELP shop_orders_total Orders placed.
# TYPE shop_orders_total counter
shop_orders_total{channel="web"} 7
# HELP queue_depth Items waiting, as a counter.
# TYPE queue_depth counter
queue_depth{queue="mail"} 9
`

// GUIDs in ascending order keep the instance order (and so which TYPE is seen first) fixed.
const landscape = oneSpace('acme', 'dev', [
  { name: 'text-app', guid: '00000000-0000-4000-8000-000000000001', instances: 1, routes: [{ host: 'text-app' }], format: 'text', body: () => TEXT_BODY },
  { name: 'om-app', guid: '00000000-0000-4000-8000-000000000002', instances: 1, routes: [{ host: 'om-app' }], format: 'openmetrics', body: () => OM_BODY },
  { name: 'conflict-app', guid: '00000000-0000-4000-8000-000000000003', instances: 1, routes: [{ host: 'conflict-app' }], format: 'text', body: () => CONFLICT_BODY },
])

describe.skipIf(skip !== undefined)('merged /metrics of mixed instances: promtool and a real Prometheus', () => {
  let sim: Simulator
  let stack: BinaryAndPrometheus | undefined
  let productUrl: string
  let promUrl: string
  let logs: string[] = []

  let query: (promql: string) => Promise<Series[]>
  const guid = (app: string): string => sim.app(app).guid
  const byApp = (series: Series[]): Map<string, Series[]> => {
    const out = new Map<string, Series[]>()
    for (const s of series) out.set(s.metric.app_name ?? '', [...(out.get(s.metric.app_name ?? '') ?? []), s])
    return out
  }

  beforeAll(async () => {
    sim = await startSimulator(landscape)
    stack = await startBinaryAndPrometheus({
      name: 'merge',
      prometheusBin: prometheusBin!,
      configYaml: `${simulatorYaml(sim)}  targets:
    - { orgName: acme, spaceName: dev, applicationRegex: ".*", protocol: http }
`,
      jobs: (url) => staticJob('merged', url),
    })
    ;({ productUrl, promUrl, logs, query } = stack)
  }, 60_000)

  afterAll(async () => {
    await stack?.stop()
    await sim?.close()
  })

  it('writes text that promtool check metrics accepts without warnings', async () => {
    const response = await fetch(`${productUrl}/metrics`, { headers: { accept: 'text/plain;version=0.0.4' } })
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    const body = await response.text()
    // The merge did what the rest of this file relies on: every instance is in, the collision renamed.
    expect(body).toContain('exported_app_name="spoofed"')
    expect(body.match(/^# TYPE queue_depth gauge$/gm)).toHaveLength(1)
    const check = spawnSync(promtoolBin!, ['check', 'metrics'], { input: body, encoding: 'utf8' })
    expect(check.status, `${check.stdout}${check.stderr}\n${body}\n${logs.join('')}`).toBe(0)
  })

  it('gzips the same document, UTF-8 intact, for a client that accepts gzip', async () => {
    const raw = await import('node:http').then(
      (http) =>
        new Promise<{ encoding?: string; bytes: Buffer }>((resolve, reject) => {
          http.get(`${productUrl}/metrics`, { headers: { accept: 'text/plain;version=0.0.4', 'accept-encoding': 'gzip' } }, (res) => {
            const chunks: Buffer[] = []
            res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ encoding: res.headers['content-encoding'], bytes: Buffer.concat(chunks) }))
          }).on('error', reject)
        }),
    )
    expect(raw.encoding).toBe('gzip')
    const body = gunzipSync(raw.bytes).toString('utf8')
    expect(body).toContain('# HELP queue_depth Items waiting – in “queues” of mail (ü, €).\n')
    expect(body).toContain('exported_app_name="spoofed"')
    const check = spawnSync(promtoolBin!, ['check', 'metrics'], { input: body, encoding: 'utf8' })
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0)
  })

  it('is ingested by Prometheus (OpenMetrics first in its Accept) with every instance and the renamed label', async () => {
    const orders = await waitFor('shop_orders_total from all three instances', async () => {
      const result = await query('shop_orders_total{job="merged"}')
      return result.length === 4 ? result : undefined
    })
    const apps = byApp(orders)
    expect([...apps.keys()].sort()).toEqual(['conflict-app', 'om-app', 'text-app'])
    const om = apps.get('om-app')![0]!
    // Our label wins; the instance's own app_name is kept as exported_app_name.
    expect(om.metric).toMatchObject({
      org_name: 'acme', space_name: 'dev', app_name: 'om-app', exported_app_name: 'spoofed', channel: 'web',
      cf_instance_id: `${guid('om-app')}:0`, cf_instance_number: '0',
    })
    expect(om.value[1]).toBe('20')
    expect(apps.get('text-app')!.map((s) => [s.metric.channel, s.value[1]]).sort()).toEqual([['app', '5'], ['web', '10']])
    expect(apps.get('text-app')!.every((s) => s.metric.exported_app_name === undefined)).toBe(true)
    expect(apps.get('conflict-app')![0]!.value[1]).toBe('7')

    // Histograms from both formats keep their buckets.
    const buckets = await query('request_seconds_bucket{job="merged"}')
    expect(byApp(buckets).get('text-app')).toHaveLength(2)
    expect(byApp(buckets).get('om-app')).toHaveLength(2)
  }, 60_000)

  it('drops the conflicting family for that instance only, keeps the first TYPE and counts the conflict', async () => {
    const depth = await waitFor('queue_depth', async () => {
      const result = await query('queue_depth{job="merged"}')
      return result.length > 0 ? result : undefined
    })
    expect(depth.map((s) => [s.metric.app_name, s.value[1]]).sort()).toEqual([['om-app', '4'], ['text-app', '3']])
    const meta = (await (await fetch(`${promUrl}/api/v1/targets/metadata?match_target={job="merged"}&metric=queue_depth`)).json()) as { data: Array<{ type: string }> }
    expect(meta.data.map((m) => m.type)).toEqual(['gauge'])
    // Nothing Prometheus refused: no duplicate or out-of-order samples in the merged document.
    const refused = await query('prometheus_target_scrapes_sample_duplicate_timestamp_total + prometheus_target_scrapes_sample_out_of_order_total')
    expect(refused.every((s) => s.value[1] === '0')).toBe(true)

    const own = await (await fetch(`${productUrl}/promregatorMetrics`, { headers: { accept: 'text/plain;version=0.0.4' } })).text()
    const conflicts = /^promregator_merge_conflicts_total\{metric_name="queue_depth"\} (\d+)$/m.exec(own)
    expect(conflicts, own).not.toBeNull()
    expect(Number(conflicts![1])).toBeGreaterThanOrEqual(1)
    expect(own).not.toMatch(/promregator_merge_conflicts_total\{metric_name="(shop_orders|request_seconds)/)
  }, 60_000)
})
