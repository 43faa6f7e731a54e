/**
 * @module config/env-overrides
 * Secrets from the environment (`cf set-env`, `docker run -e`), so they need not be in the file.
 * Each variable is named after its key path as Spring's relaxed binding named them in the Java
 * original (`cf.password` → `CF_PASSWORD`); a key inside an entry of a named list gets the entry's
 * name appended (`cf[].password` → `CF_PASSWORD_<NAME>`). A variable wins over the file; one that
 * cannot apply is reported as a note, and no message ever contains a value. The keys are those
 * the schema marks `secret(...)`; variable names are spelled by env-names.ts.
 */

import { ENTRY_NAME_KEY, envNameOf, envVariableOf } from './env-names.ts'
import { configSchema } from './schema.ts'
import { secretKeyPaths } from './secret-keys.ts'

/** One key that an environment variable sets. */
export interface EnvOverride {
  /** The variable; `<NAME>` or `<ID>` stands for the entry's name as {@link envNameOf} spells it. */
  env: string
  /** The key path; a segment ending in `[]` is each entry of that list, told apart by its name. */
  path: string[]
}

/** Paths whose missing sections are created: all their other keys have defaults. Elsewhere the section must be in the file. */
const CREATES_SECTIONS = new Set(['promregator.authentication.basic.password'])

/** The keys marked `secret(...)` in the schema, as paths (`cf[].password`). */
export const SECRET_KEYS: readonly string[] = secretKeyPaths(configSchema)

/** Every secret an environment variable can set. */
export const ENV_OVERRIDES: EnvOverride[] = SECRET_KEYS.map((path) => ({ env: envVariableOf(path), path: path.split('.') }))

/** Whether `variable` is one of the secrets' own variables (`CF_PASSWORD`, `CF_PASSWORD_<NAME>`, ...). */
export function isSecretVariable(variable: string): boolean {
  return ENV_OVERRIDES.some((o) => (o.env.includes('<') ? variable.startsWith(o.env.slice(0, o.env.indexOf('<'))) : variable === o.env))
}

/** Last segments of secret paths: values under these keys are never echoed in a message. */
export const SECRET_KEY_NAMES: ReadonlySet<string> = new Set(SECRET_KEYS.map((path) => path.split('.').at(-1)!))

type Env = Record<string, string | undefined>
type Mapping = Record<string, unknown>

/** What applying the variables found wrong: `problems` stop start-up, `notes` are variables that were ignored. */
export interface EnvOverrideOutcome {
  problems: string[]
  notes: string[]
}

/** Writes the set variables into the parsed YAML `raw`, in place. */
export function applyEnvOverrides(raw: Mapping, env: Env): EnvOverrideOutcome {
  const outcome: EnvOverrideOutcome = { problems: [], notes: [] }
  for (const override of ENV_OVERRIDES) {
    const listAt = override.path.findIndex((segment) => segment.endsWith('[]'))
    if (listAt === -1) applySingle(raw, override, env, outcome)
    else applyPerEntry(raw, override, listAt, env, outcome)
  }
  return outcome
}

function applySingle(raw: Mapping, override: EnvOverride, env: Env, outcome: EnvOverrideOutcome): void {
  const value = valueOf(env, override.env)
  if (value === undefined) return
  const why = setAt(raw, override.path, [], value, CREATES_SECTIONS.has(override.path.join('.')))
  if (why === undefined) return
  const perEntry = ENV_OVERRIDES.find((o) => o.path.join('.').replace('[]', '') === override.path.join('.') && o !== override)
  outcome.notes.push(`${override.env} is set but ${why}; ignored${perEntry ? ` (each entry takes ${perEntry.env})` : ''}`)
}

function applyPerEntry(raw: Mapping, override: EnvOverride, listAt: number, env: Env, outcome: EnvOverrideOutcome): void {
  const prefix = override.env.slice(0, override.env.lastIndexOf('<'))
  const set = Object.keys(env).filter((name) => name.startsWith(prefix) && valueOf(env, name) !== undefined)
  if (set.length === 0) return
  const listPath = [...override.path.slice(0, listAt), override.path[listAt]!.slice(0, -2)]
  const list = nodeAt(raw, listPath)
  if (!Array.isArray(list)) {
    for (const name of set) outcome.notes.push(`${name} is set but \`${listPath.join('.')}\` is not a list; ignored`)
    return
  }
  const nameKey = ENTRY_NAME_KEY[override.path[listAt]!]!
  // Entries by variable: two names may be spelled alike (`eu-1`, `eu.1`).
  const entries = new Map<string, { names: Set<string>; indexes: number[] }>()
  list.forEach((entry, i) => {
    const name = isMapping(entry) ? entry[nameKey] : undefined
    if (typeof name !== 'string') return
    const variable = prefix + envNameOf(name)
    const seen = entries.get(variable) ?? { names: new Set(), indexes: [] }
    seen.names.add(name)
    seen.indexes.push(i)
    entries.set(variable, seen)
  })
  for (const variable of set) {
    const match = entries.get(variable)
    if (!match) {
      const known = [...entries.keys()].join(', ') || 'none'
      outcome.notes.push(`${variable} is set but no entry of \`${listPath.join('.')}\` has that ${nameKey} (variables: ${known}); ignored`)
    } else if (match.names.size > 1) {
      outcome.problems.push(`${variable} is ambiguous: it fits the ${nameKey}s ${[...match.names].map((n) => `'${n}'`).join(' and ')} of \`${listPath.join('.')}\`; rename one`)
    } else {
      for (const i of match.indexes) {
        const why = setAt(list[i] as Mapping, override.path.slice(listAt + 1), [...listPath, i], valueOf(env, variable)!, false)
        if (why) outcome.notes.push(`${variable} is set but ${why}; ignored`)
      }
    }
  }
}

/** Sets `path` below `node`; returns why it could not, naming the section by its full path. */
function setAt(node: Mapping, path: string[], above: (string | number)[], value: string, createSections: boolean): string | undefined {
  let here = node
  const walked = [...above]
  for (const key of path.slice(0, -1)) {
    walked.push(key)
    const next = here[key]
    if (next === undefined && createSections) here[key] = {}
    else if (Array.isArray(next)) return `\`${formatPath(walked)}\` is a list`
    else if (!isMapping(next)) return `the configuration has no \`${formatPath(walked)}\` section`
    here = here[key] as Mapping
  }
  here[path.at(-1)!] = value
  return undefined
}

function nodeAt(raw: Mapping, path: string[]): unknown {
  return path.reduce<unknown>((node, key) => (isMapping(node) ? node[key] : undefined), raw)
}

/** An empty variable counts as unset, as a blank `cf set-env` value should. */
function valueOf(env: Env, name: string): string | undefined {
  const value = env[name]
  return value === undefined || value === '' ? undefined : value
}

function formatPath(path: (string | number)[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('')
}

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
