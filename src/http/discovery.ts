/**
 * @module http/discovery
 * `GET /discovery`: the targets as a Prometheus file_sd / http_sd document, with the labels of
 * the original Promregator so existing relabel rules keep working.
 */
import type { Context } from 'hono'
import type { Config } from '../config/schema.ts'
import type { ScrapeTarget } from '../routing/classify.ts'

/** One group of the file_sd/http_sd format: only `targets` and `labels` are allowed. */
export interface TargetGroup {
  targets: string[]
  labels: Record<string, string>
}

/** The path of the proxy endpoint of one instance. */
export function singleTargetPath(target: Pick<ScrapeTarget, 'appGuid' | 'index'>): string {
  return `/singleTargetMetrics/${target.appGuid}/${target.index}`
}

/** Builds the document; `address` is `host:port` of this server as Prometheus should reach it. */
export function discoveryDocument(targets: ScrapeTarget[], address: string, options: Config['promregator']['discovery']): TargetGroup[] {
  const scheme = options.scheme ?? (options.port === 443 ? 'https' : undefined)
  const common: Record<string, string> = scheme ? { __scheme__: scheme } : {}
  const groups: TargetGroup[] = targets.map((t) => {
    const path = singleTargetPath(t)
    return {
      targets: [address],
      labels: {
        __meta_promregator_target_path: path,
        __meta_promregator_target_orgName: t.orgName,
        __meta_promregator_target_spaceName: t.spaceName,
        __meta_promregator_target_applicationName: t.appName,
        __meta_promregator_target_applicationId: t.appGuid,
        __meta_promregator_target_instanceNumber: String(t.index),
        __meta_promregator_target_instanceId: t.id,
        ...(t.foundation ? { __meta_promregator_target_foundation: t.foundation } : {}),
        __metrics_path__: path,
        ...common,
      },
    }
  })
  if (options.ownMetricsEndpoint) {
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
