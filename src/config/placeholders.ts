/**
 * @module config/placeholders
 * `${NAME}` and `${NAME:default}` in configuration values, resolved as Spring Boot resolves them
 * for the Java original: from the environment (`${my.password}` also finds `MY_PASSWORD`, Spring's
 * reading of a property name as a variable), then from other keys of the file by their path
 * (`${cf.api_host}`), else the default after the first `:`. A placeholder that resolves to nothing
 * is a problem naming the key and the placeholder; no message ever carries a value.
 */

type Mapping = Record<string, unknown>
type Env = Record<string, string | undefined>

/** What resolving found: problems stop start-up; notes say where each placeholder came from (names only). */
export interface PlaceholderOutcome {
  problems: string[]
  notes: string[]
}

const PLACEHOLDER = /\$\{([^}:]+)(?::([^}]*))?\}/g
const MAX_DEPTH = 10

/** Resolves every placeholder in the string values under `raw`'s `sections`, in place. */
export function resolvePlaceholders(raw: Mapping, env: Env, sections: readonly string[]): PlaceholderOutcome {
  const outcome: PlaceholderOutcome = { problems: [], notes: [] }
  const visit = (node: unknown, path: string, set: (value: string) => void) => {
    if (typeof node === 'string') {
      if (node.includes('${')) {
        const resolved = resolveText(node, path, raw, env, outcome, 0)
        if (resolved !== undefined) set(resolved)
      }
    } else if (Array.isArray(node)) node.forEach((item, i) => visit(item, `${path}[${i}]`, (v) => (node[i] = v)))
    else if (isMapping(node)) for (const key of Object.keys(node)) visit(node[key], `${path}.${key}`, (v) => (node[key] = v))
  }
  for (const section of sections) if (section in raw) visit(raw[section], section, (v) => (raw[section] = v))
  return outcome
}

function resolveText(text: string, path: string, raw: Mapping, env: Env, outcome: PlaceholderOutcome, depth: number): string | undefined {
  let failed = false
  const out = text.replace(PLACEHOLDER, (_, name: string, fallback: string | undefined) => {
    const fromEnv = envValue(env, name.trim())
    if (fromEnv !== undefined) {
      outcome.notes.push(`${path}: \${${name}} resolved from the environment (${fromEnv.variable})`)
      return fromEnv.value
    }
    const fromFile = valueAt(raw, name.trim())
    if (typeof fromFile === 'string' || typeof fromFile === 'number' || typeof fromFile === 'boolean') {
      const value = String(fromFile)
      // A referenced key may hold placeholders itself.
      const nested = value.includes('${') && depth < MAX_DEPTH ? resolveText(value, path, raw, env, outcome, depth + 1) : value
      if (nested === undefined) {
        failed = true
        return ''
      }
      outcome.notes.push(`${path}: \${${name}} resolved from the key ${name.trim()}`)
      return nested
    }
    if (fallback !== undefined) {
      outcome.notes.push(`${path}: \${${name}} resolved to its default`)
      return fallback
    }
    failed = true
    outcome.problems.push(`${path}: placeholder \${${name}} resolves to nothing: set the environment variable ${envVariableOf(name.trim())} or give a default (\${${name}:default})`)
    return ''
  })
  return failed ? undefined : out
}

/** Spring Boot's variable for a property name: as written, with `.`/`-` as `_`, and upper-cased. */
function envValue(env: Env, name: string): { variable: string; value: string } | undefined {
  for (const variable of new Set([name, name.replace(/[.-]/g, '_'), envVariableOf(name)])) {
    const value = env[variable]
    if (value !== undefined) return { variable, value }
  }
  return undefined
}

const envVariableOf = (name: string) => name.replace(/[.-]/g, '_').toUpperCase()

function valueAt(raw: Mapping, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (isMapping(node) ? node[key] : undefined), raw)
}

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
