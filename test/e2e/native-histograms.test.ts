/**
 * End to end with Prometheus's protobuf scraping: Debian's Prometheus 2.42 with
 * `--enable-feature=native-histograms` scrapes the compiled binary's `/singleTargetMetrics` targets
 * (http_sd) and its `/metrics` (a static job), whose instances (in the simulated foundation) serve a
 * native histogram in protobuf when asked. Prometheus's own Accept goes through the binary to the
 * instance, the protobuf comes back with its Content-Type (merged with the other instances' on
 * `/metrics`), and the histogram arrives as a native one (queried with `histogram_count`; no
 * classic `_bucket` series exist). Also: Prometheus's scrape timeout bounds
 * the wait on a slow instance (its scrape ends in time, `up` 1, `promregator_up` 0), and the
 * Prometheus 3 Accept headers get a Content-Type Prometheus 3 knows from every endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { discoveryJob, prometheusRequirements, startBinaryAndPrometheus, staticJob, waitFor, type BinaryAndPrometheus } from '../support/e2e.ts'
import { counterFamily, nativeHistogramFamily } from '../support/metrics-protobuf.ts'
import { simulatorYaml } from '../support/sim-config.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'

const { prometheusBin, skip } = prometheusRequirements()

// From the reference on Prometheus 3: protobuf first (native histograms on), and the default.
const PROM_3_PROTO = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1'
const PROM_3 = 'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2'
/** Content-Types Prometheus 3 scrapes (its parser's table), each with the version it names. */
const KNOWN = [
  /^application\/vnd\.google\.protobuf; proto=io\.prometheus\.client\.MetricFamily; encoding=delimited$/,
  /^application\/openmetrics-text; version=(1\.0\.0|0\.0\.1); charset=utf-8(; escaping=[a-z0-9-]+)?$/,
  /^text\/plain; version=(0\.0\.4|1\.0\.0); charset=utf-8(; escaping=[a-z0-9-]+)?$/,
]

/** The observations of instance `index`: 10 + index of them, in two buckets of schema 0. */
const histogramOf = (index: number) => ({ count: 10 + index, sum: 2.5, schema: 0, zeroThreshold: 1e-128, zeroCount: 1, spans: [[0, 2]] as Array<[number, number]>, counts: [4 + index, 5] })

describe.skipIf(skip !== undefined)('native histograms through /singleTargetMetrics, with a real Prometheus', () => {
  let sim: Simulator
  let stack: BinaryAndPrometheus | undefined

  beforeAll(async () => {
    sim = await startSimulator(
      oneSpace('acme', 'prod', [
        { name: 'native', instances: 2, routes: [{ host: 'native' }], protobuf: ({ index }) => nativeHistogramFamily('rpc_duration_seconds', 'RPC latency.', { method: 'get' }, histogramOf(index)) },
        // Slower than Prometheus's 1.5 s scrape timeout, faster than the configured maxProcessingTime.
        { name: 'slow', instances: 1, routes: [{ host: 'slow' }], delayMs: 2500, protobuf: () => counterFamily('jobs_total', 'Jobs.', [{ labels: {}, value: 1 }]) },
      ]),
    )
    stack = await startBinaryAndPrometheus({
      name: 'native-histograms',
      prometheusBin: prometheusBin!,
      configYaml: `${simulatorYaml(sim)}    maxProcessingTime: 4000\n  targets:\n    - { orgName: acme, spaceName: prod, applicationRegex: ".*", protocol: http }\n`,
      jobs: (url) => staticJob('static', url) + discoveryJob(url, [['instanceId', 'instance'], ['applicationName', 'app_name']]),
      prometheusFlags: ['--enable-feature=native-histograms'],
    })
  }, 60_000)

  afterAll(async () => {
    await stack?.stop()
    await sim?.close()
  })

  it('arrives as a native histogram of each instance', async () => {
    const native = sim.app('native')
    const counts = await waitFor('both native histograms in Prometheus', async () => {
      const series = await stack!.query('histogram_count(rpc_duration_seconds{job="sd"})')
      return series.length === 2 ? series : undefined
    })
    expect(Object.fromEntries(counts.map((s) => [s.metric.instance, s.value[1]]))).toEqual({ [`${native.guid}:0`]: '10', [`${native.guid}:1`]: '11' })
    // Prometheus asked for protobuf, and the instance got that very header.
    expect(sim.lastInstanceRequest('native', 0)?.headers.accept).toMatch(/^application\/vnd\.google\.protobuf;proto=io\.prometheus\.client\.MetricFamily;encoding=delimited,/)
    // Nothing classic was made of it, and our own metrics came along in protobuf.
    expect(await stack!.query('rpc_duration_seconds_bucket')).toEqual([])
    const up = await stack!.query('promregator_up{job="sd",app_name="native"}')
    expect(up.map((s) => s.value[1])).toEqual(['1', '1'])
  }, 60_000)

  it('arrives native through /metrics too, every instance merged into one protobuf answer', async () => {
    const counts = await waitFor('both native histograms from /metrics', async () => {
      const series = await stack!.query('histogram_count(rpc_duration_seconds{job="static"})')
      return series.length === 2 ? series : undefined
    })
    expect(Object.fromEntries(counts.map((s) => [s.metric.cf_instance_number, s.value[1]]))).toEqual({ '0': '10', '1': '11' })
    expect(counts.every((s) => s.metric.app_name === 'native' && s.metric.org_name === 'acme')).toBe(true)
    expect(await stack!.query('up{job="static"}')).toMatchObject([{ value: [expect.anything(), '1'] }])
  }, 60_000)

  it('ends the wait on a slow instance at Prometheus scrape timeout: the scrape is in time and says the instance timed out', async () => {
    const slow = await waitFor('the slow instance scraped', async () => {
      const series = await stack!.query('promregator_up{job="sd",app_name="slow"}')
      return series.length === 1 ? series : undefined
    })
    expect(slow[0]!.value[1]).toBe('0')
    const up = await stack!.query('up{job="sd",app_name="slow"}')
    expect(up.map((s) => s.value[1])).toEqual(['1'])
    expect((await stack!.query('scrape_duration_seconds{job="sd",app_name="slow"}'))[0]!.value[1]).toSatisfy((v: string) => Number(v) < 1.5)
  }, 60_000)

  it('gives the Prometheus 3 Accept headers a Content-Type Prometheus 3 knows, from every endpoint', async () => {
    const native = sim.app('native')
    const paths = ['/metrics', `/singleTargetMetrics/${native.guid}/0`, `/singleTargetMetrics/${sim.app('slow').guid}/0`, '/promregatorMetrics']
    const seen: string[] = []
    for (const accept of [PROM_3_PROTO, PROM_3]) {
      for (const path of paths) {
        const response = await fetch(`${stack!.productUrl}${path}`, { headers: { accept, 'x-prometheus-scrape-timeout-seconds': '1.5' } })
        await response.arrayBuffer()
        const type = response.headers.get('content-type') ?? '(none)'
        seen.push(`${path} ${type}`)
        expect(KNOWN.some((re) => re.test(type)), `${path} answered ${type}`).toBe(true)
      }
    }
    // The protobuf-first header gets protobuf from an instance that has it.
    expect(seen[1]).toMatch(/vnd\.google\.protobuf/)
  }, 30_000)
})
