/**
 * @module http/routes/discovery
 * `GET /discovery`: the targets as a Prometheus file_sd / http_sd document, with the labels of
 * the original Promregator so existing relabel rules keep working: each target's discovery labels
 * (`__meta_promregator_target_*`, chosen by its platform), the path of its single-target endpoint
 * and this server's address. Served from a body made once per picture of targets
 * (http/discovery-body.ts), already compressed when the client accepts it.
 */
import { Hono, type Context } from 'hono'
import type { Config } from '../../config/schema.ts'
import { singleTargetPath, type ScrapeTarget } from '../../model/target.ts'
import { createDiscoveryBodies } from '../discovery-body.ts'
import { selectEncoding } from '../middleware/compression.ts'
import type { AppDeps } from '../types.ts'

/** One group of the file_sd/http_sd format: only `targets` and `labels` are allowed. */
export interface TargetGroup {
  targets: string[]
  labels: Record<string, string>
}

/**
 * Builds the document; `address` is `host:port` of this server as Prometheus should reach it.
 * `ownInstances`: the instances of the product's own app when it runs as several (one own-metrics
 * target each, labelled like an app instance); otherwise the one `/promregatorMetrics` target.
 */
export function discoveryDocument(targets: ScrapeTarget[], address: string, options: Config['promregator']['discovery'], ownInstances: readonly ScrapeTarget[] = []): TargetGroup[] {
  const scheme = options.scheme ?? (options.port === 443 ? 'https' : undefined)
  const common: Record<string, string> = scheme ? { __scheme__: scheme } : {}
  const groups: TargetGroup[] = targets.map((t) => {
    const path = singleTargetPath(t)
    return {
      targets: [address],
      labels: { __meta_promregator_target_path: path, ...t.discoveryLabels, __metrics_path__: path, ...common },
    }
  })
  if (options.ownMetricsEndpoint && ownInstances.length > 0) {
    ownInstances.forEach((t, index) => {
      const path = `/promregatorMetrics/instances/${index}`
      groups.push({ targets: [address], labels: { __meta_promregator_target_path: path, ...t.discoveryLabels, __metrics_path__: path, ...common } })
    })
  } else if (options.ownMetricsEndpoint) {
    groups.push({
      targets: [address],
      labels: { __meta_promregator_target_path: '/promregatorMetrics', __metrics_path__: '/promregatorMetrics', ...common },
    })
  }
  return groups
}

/** `host:port` from the configuration, else from the request. */
export function advertisedAddress(c: Context, options: Config['promregator']['discovery']): string {
  const url = new URL(c.req.url)
  const hostHeader = c.req.header('host') ?? url.host
  const [requestHost, requestPort] = splitHostPort(hostHeader, url.protocol === 'https:' ? 443 : 80)
  return `${options.hostname ?? requestHost}:${options.port ?? requestPort}`
}

function splitHostPort(hostHeader: string, defaultPort: number): [string, number] {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader)
  if (!match) return [hostHeader, defaultPort]
  return [match[1]!, match[2] ? Number(match[2]) : defaultPort]
}

/** `GET /discovery`, answered from the current picture of targets. */
export function discoveryRoutes(deps: Pick<AppDeps, 'config' | 'targets' | 'metrics' | 'compressor' | 'replicas'>): Hono {
  const options = deps.config.promregator.discovery
  const { replicas } = deps
  const bodies = createDiscoveryBodies({
    build: (snapshot, address) => discoveryDocument(snapshot.targets, address, options, replicas?.targets()),
    // A new picture of targets, or a new list of own instances, makes a new document.
    changes: {
      subscribe: (listener) => {
        deps.targets.subscribe(listener)
        replicas?.subscribe(listener)
      },
    },
    onBuild: () => deps.metrics.discoveryDocumentBuilds.inc(),
    compressor: deps.compressor,
  })
  return new Hono().get('/discovery', async (c) => {
    const snapshot = await deps.targets.current()
    const address = advertisedAddress(c, options)
    const headers = { 'content-type': 'application/json', vary: 'Accept-Encoding' }
    const encoding = selectEncoding(c.req.header('accept-encoding'))
    // The compression middleware leaves a response that already has a Content-Encoding alone.
    if (encoding) return c.body((await bodies.compressed(snapshot, address, encoding)) as Uint8Array<ArrayBuffer>, 200, { ...headers, 'content-encoding': encoding })
    return c.body(bodies.text(snapshot, address), 200, headers)
  })
}
