/**
 * @module test/scrape/pipeline-support
 * Helpers for the scrape tests that run the assembled pipeline: build it from YAML, read
 * `promregator_up` per instance out of `/metrics`, read own counters, and collect log lines.
 */
import { assemble, type Assembled, type AssembleOptions } from '../../src/assemble.ts'
import { loadConfigText } from '../../src/config/load.ts'
import type { Fields, Level, Logger } from '../../src/log.ts'

export interface LogLine {
  level: Level
  msg: string
  fields: Fields
}

/** A logger that keeps every line for assertions. */
export function collectingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = []
  const at = (level: Level) => (msg: string, fields: Fields = {}) => void lines.push({ level, msg, fields })
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

/** Loads YAML (failing loudly on problems) and assembles the pipeline. */
export function assembleFromYaml(yaml: string, options: AssembleOptions): Assembled {
  const loaded = loadConfigText(yaml)
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'))
  return assemble(loaded.config, options)
}

/** `GET path` on the app, as Prometheus asks (text format). */
export async function get(pipeline: Assembled, path: string, headers: Record<string, string> = {}) {
  const response = await pipeline.app.request(path, { headers: { host: 'promregator.test:8080', accept: 'text/plain;version=0.0.4', ...headers } })
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') }
}

/** `promregator_up` of every instance in a `/metrics` body, keyed `<app_name>/<cf_instance_number>`. */
export function upByInstance(body: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const line of body.split('\n')) {
    const match = /^promregator_up\{(.*)\} (\S+)$/.exec(line)
    if (!match) continue
    const labels = Object.fromEntries([...match[1]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]))
    out[`${labels.app_name}/${labels.cf_instance_number}`] = Number(match[2])
  }
  return out
}

/** Value of one sample of a text exposition body (`name{labels}` exactly as written), or undefined. */
export function sampleValue(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}
