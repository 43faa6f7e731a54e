/**
 * @module config/env-binding
 * Every key from the environment, as Spring Boot binds variables for the Java original:
 * `CF_API_HOST` is `cf.api_host`, `PROMREGATOR_DISCOVERY_HOSTNAME` is
 * `promregator.discovery.hostname`, `PROMREGATOR_TARGETS_0_ORGNAME` is
 * `promregator.targets[0].orgName` (a list index is a number between underscores). A variable
 * wins over the file; `SPRING_APPLICATION_JSON` (a JSON document) wins over both, as in Spring
 * Boot. A variable is matched against the schema's own keys, so only keys that exist are set, and a
 * key's `_` or `-` may or may not be written (`CF_API_HOST`, `CF_APIHOST`). The secrets' own
 * variables (`CF_PASSWORD_<NAME>`, env-overrides.ts) are left to env-overrides.ts.
 */
import type { z } from 'zod'
import { unwrap } from './schema-walk.ts'

type Mapping = Record<string, unknown>
type Env = Record<string, string | undefined>

/** What binding the environment did: problems stop start-up; notes name what was set (never a value). */
export interface EnvBindingOutcome {
  problems: string[]
  notes: string[]
}

const PREFIXES = ['CF_', 'PROMREGATOR_', 'SERVER_']
const canonical = (key: string) => key.toLowerCase().replace(/[-_]/g, '')

/** A step of a key path: a mapping key, or a list index. */
type Step = string | number

/**
 * Sets every variable that names a key of `schema` into `raw`, then merges SPRING_APPLICATION_JSON
 * over it. `reserved` says which variables belong to another reader (the secrets' own).
 */
export function bindEnvironment(raw: Mapping, env: Env, schema: z.ZodType, reserved: (variable: string) => boolean): EnvBindingOutcome {
  const outcome: EnvBindingOutcome = { problems: [], notes: [] }
  for (const variable of Object.keys(env).sort()) {
    const value = env[variable]
    if (value === undefined || value === '' || reserved(variable) || !PREFIXES.some((p) => variable.startsWith(p))) continue
    const path = pathOf(variable.toLowerCase().split('_'), schema)
    if (path === undefined) continue
    setAt(raw, path, value)
    outcome.notes.push(`${formatPath(path)} set from the environment (${variable})`)
  }
  const json = env.SPRING_APPLICATION_JSON
  if (json !== undefined && json.trim() !== '') {
    try {
      const parsed = JSON.parse(json) as unknown
      if (!isMapping(parsed)) throw new Error('not a JSON object')
      mergeInto(raw, parsed)
      outcome.notes.push(`SPRING_APPLICATION_JSON merged over the file (keys: ${Object.keys(parsed).join(', ')})`)
    } catch (error) {
      outcome.problems.push(`SPRING_APPLICATION_JSON is not a JSON object: ${(error as Error).message}`)
    }
  }
  return outcome
}

/** The key path that the words of a variable spell under `schema`, or undefined when none does. */
function pathOf(words: string[], schema: z.ZodType): Step[] | undefined {
  const { def } = unwrap(schema)
  // A variable sets one value: its path ends at a key that holds one, not at a section.
  if (words.length === 0) return ['object', 'array', 'union', 'record'].includes(def.type) ? undefined : []
  if (def.type === 'union') {
    // `cf`: one mapping or a list of them; the words say which.
    for (const option of def.options ?? []) {
      const found = pathOf(words, option)
      if (found !== undefined) return found
    }
    return undefined
  }
  if (def.type === 'array' && def.element) {
    if (!/^\d+$/.test(words[0]!)) return undefined
    const rest = pathOf(words.slice(1), def.element)
    return rest === undefined ? undefined : [Number(words[0]), ...rest]
  }
  if (def.type !== 'object' || !def.shape) return undefined
  // A key may take several words (`api_host` from API_HOST): the longest that matches first.
  for (let n = words.length; n >= 1; n--) {
    const wanted = words.slice(0, n).join('')
    const key = Object.keys(def.shape).find((k) => canonical(k) === wanted)
    if (key === undefined) continue
    const rest = pathOf(words.slice(n), def.shape[key]!)
    if (rest !== undefined) return [key, ...rest]
  }
  return undefined
}

function setAt(raw: Mapping, path: Step[], value: string): void {
  let node: unknown = raw
  path.forEach((step, i) => {
    const last = i === path.length - 1
    const container = node as Mapping & unknown[]
    if (last) {
      container[step as never] = value as never
      return
    }
    const nextIsIndex = typeof path[i + 1] === 'number'
    let child = container[step as never] as unknown
    if (nextIsIndex ? !Array.isArray(child) : !isMapping(child)) {
      child = nextIsIndex ? [] : {}
      container[step as never] = child as never
    }
    node = child
  })
}

function mergeInto(base: Mapping, over: Mapping): void {
  for (const [key, value] of Object.entries(over)) {
    if (isMapping(value) && isMapping(base[key])) mergeInto(base[key] as Mapping, value)
    else base[key] = value
  }
}

function formatPath(path: Step[]): string {
  return path.map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`)).join('')
}

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
