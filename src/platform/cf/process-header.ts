/**
 * @module platform/cf/process-header
 * Whether a foundation's gorouter addresses one process's instances with `X-CF-PROCESS-INSTANCE`
 * (routing-release 0.332.0 and later). It matters only while an app is in a rolling or canary
 * deployment: its two web processes share instance indexes, `X-CF-APP-INSTANCE` reaches either,
 * and only the process header keeps the old and the new instances apart. `cf.processInstanceHeader`
 * says `always`, `never`, or `auto`: then the router is asked, once a deployment is seen and again
 * hourly, with an index that no instance has. A router that honours the header answers 400 with
 * `X-Cf-Routererror: unknown_route`; one that ignores it passes the request to some instance.
 */
import type { Logger } from '../../log.ts'
import type { PlatformNote } from '../types.ts'
import { PROCESS_INSTANCE_HEADER } from './routes.ts'
import type { DiscoveredApp } from './types.ts'

export type ProcessHeaderMode = 'auto' | 'always' | 'never'

/** An index no instance has: the probe's request must not be answered by one. */
const PROBE_INDEX = 99_999

export interface ProcessHeaderOptions {
  mode: ProcessHeaderMode
  /** Reaches apps as scrapes do (through `promregator.scraping.proxy`); without it `auto` cannot ask and answers no. */
  fetch?: typeof fetch
  logger: Logger
  /** The foundation's name, for log lines. */
  foundation: string
  now?: () => number
  /** How long an answer of the router is trusted (ms); default one hour. */
  reprobeMs?: number
  /** Longest wait for the router's answer (ms); default 5 s. */
  timeoutMs?: number
}

export interface ProcessHeaderSupport {
  /**
   * Whether apps in a deployment are scraped process by process. `probeUrlOf` gives the URL an app
   * is scraped at through the router (undefined when it has no external route).
   */
  resolve(apps: readonly DiscoveredApp[], probeUrlOf: (app: DiscoveredApp) => string | undefined): Promise<boolean>
  /** What the status page says about it, once there is something to say. */
  note(): PlatformNote | undefined
}

/** Creates the answer's keeper for one foundation. */
export function createProcessHeaderSupport(options: ProcessHeaderOptions): ProcessHeaderSupport {
  const now = options.now ?? Date.now
  const reprobeMs = options.reprobeMs ?? 3_600_000
  let known: { supported: boolean; at: number } | undefined
  let deploymentsSeen = false

  async function probe(url: string, processGuid: string): Promise<boolean | undefined> {
    if (!options.fetch) return undefined
    const fields = { foundation: options.foundation, url }
    try {
      const response = await options.fetch(url, {
        headers: { [PROCESS_INSTANCE_HEADER]: `${processGuid}:${PROBE_INDEX}` },
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      })
      await response.body?.cancel()
      const supported = response.status === 400 && response.headers.get('x-cf-routererror') === 'unknown_route'
      options.logger.info(supported ? 'the router addresses process instances (X-CF-PROCESS-INSTANCE): apps in a deployment are scraped process by process' : 'the router ignores X-CF-PROCESS-INSTANCE: apps in a deployment are not scraped until it ends', { ...fields, status: response.status })
      return supported
    } catch (error) {
      options.logger.warn('could not ask the router whether it honours X-CF-PROCESS-INSTANCE; apps in a deployment are not scraped this time', { ...fields, error: (error as Error).message })
      return undefined
    }
  }

  return {
    async resolve(apps, probeUrlOf) {
      const inDeployment = apps.filter((a) => a.deployment)
      deploymentsSeen = inDeployment.length > 0
      if (options.mode !== 'auto') return options.mode === 'always'
      if (inDeployment.length === 0 || (known && now() - known.at < reprobeMs)) return known?.supported ?? false
      for (const app of inDeployment) {
        const url = probeUrlOf(app)
        if (url === undefined) continue
        const supported = await probe(url, app.deployment![0]!.guid)
        if (supported !== undefined) known = { supported, at: now() }
        return supported ?? false
      }
      return known?.supported ?? false
    },
    note() {
      if (options.mode === 'always') return undefined
      if (options.mode === 'never') return deploymentsSeen ? { level: 'warn', text: 'cf.processInstanceHeader is never: apps in a rolling or canary deployment are not scraped until it ends' } : undefined
      if (!known) return undefined
      const when = new Date(known.at).toISOString()
      return known.supported
        ? { level: 'info', text: `the router addresses process instances (X-CF-PROCESS-INSTANCE, asked ${when}): apps in a deployment are scraped process by process` }
        : { level: 'warn', text: `the router ignores X-CF-PROCESS-INSTANCE (asked ${when}): apps in a rolling or canary deployment are not scraped until it ends` }
    },
  }
}
