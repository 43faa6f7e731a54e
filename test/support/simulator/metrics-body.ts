/**
 * @module simulator/metrics-body
 * The default metrics an instance exposes, in Prometheus text 0.0.4 or OpenMetrics 1.0.0, plus
 * Accept-header negotiation. Values derive from app guid and index, so tests can tell instances
 * apart and predict every number (see `expectedSampleValues`).
 */
import { stableHash } from './ids.ts'
import type { MetricsBodyContext, MetricsFormat } from './types.ts'

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8'
export { PROTOBUF_CONTENT_TYPE } from '../metrics-protobuf.ts'

/** Histogram bucket bounds of `sim_request_duration_seconds`. */
const BUCKETS = [0.05, 0.1, 0.5, 1]

/** Escapes a label value for both formats (backslash, double quote, newline). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

/** The numbers in the default body of one instance, for assertions. */
export function expectedSampleValues(appGuid: string, index: number) {
  const seed = stableHash(`${appGuid}:${index}`)
  const requests = 1000 + (seed % 9000)
  const counts = BUCKETS.map((_, i) => Math.floor((requests * (i + 1)) / (BUCKETS.length + 1)))
  return { index, requests, bucketCounts: [...counts, requests], sum: requests * 0.125 }
}

/** The default body: an index gauge, a requests counter, and a histogram. */
export function defaultMetricsBody(ctx: MetricsBodyContext): string {
  const values = expectedSampleValues(ctx.appGuid, ctx.index)
  const app = `app="${escapeLabelValue(ctx.appName)}"`
  const om = ctx.format === 'openmetrics'
  // OpenMetrics names the counter family without _total; text 0.0.4 conventionally with it
  const counterFamily = om ? 'sim_requests' : 'sim_requests_total'
  const lines = [
    '# HELP sim_instance_index Index of the simulated app instance.',
    '# TYPE sim_instance_index gauge',
    `sim_instance_index{${app}} ${ctx.index}`,
    `# HELP ${counterFamily} Requests served by this instance (derived from guid and index).`,
    `# TYPE ${counterFamily} counter`,
    `sim_requests_total{${app},instance_index="${ctx.index}"} ${values.requests}`,
    '# HELP sim_request_duration_seconds Request duration.',
    '# TYPE sim_request_duration_seconds histogram',
    ...BUCKETS.map((le, i) => `sim_request_duration_seconds_bucket{${app},le="${le}"} ${values.bucketCounts[i]}`),
    `sim_request_duration_seconds_bucket{${app},le="+Inf"} ${values.requests}`,
    `sim_request_duration_seconds_sum{${app}} ${values.sum}`,
    `sim_request_duration_seconds_count{${app}} ${values.requests}`,
  ]
  return `${lines.join('\n')}\n${om ? '# EOF\n' : ''}`
}

interface MediaRange {
  type: string
  q: number
}

function parseAccept(accept: string): MediaRange[] {
  return accept.split(',').map((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim())
    const qParam = params.find((p) => p.toLowerCase().startsWith('q='))
    const q = qParam === undefined ? 1 : Number(qParam.slice(2))
    return { type: type.toLowerCase(), q: Number.isFinite(q) ? q : 0 }
  })
}

/** The highest q `accept` gives `type`, 0 when it names it nowhere. */
function bestQ(accept: string, type: string): number {
  return Math.max(0, ...parseAccept(accept).filter((r) => r.type === type).map((r) => r.q))
}

/** Whether `accept` prefers Prometheus's protobuf exposition to both text formats. */
export function prefersProtobuf(accept: string | undefined): boolean {
  if (!accept) return false
  const best = (type: string) => bestQ(accept, type)
  const protobuf = best('application/vnd.google.protobuf')
  return protobuf > 0 && protobuf >= best('application/openmetrics-text') && protobuf >= best('text/plain')
}

/** OpenMetrics when the Accept header ranks it at least as high as text/plain, else text. */
export function negotiateFormat(accept: string | undefined): MetricsFormat {
  if (!accept) return 'text'
  const best = (type: string) => bestQ(accept, type)
  const openMetrics = best('application/openmetrics-text')
  return openMetrics > 0 && openMetrics >= best('text/plain') ? 'openmetrics' : 'text'
}
