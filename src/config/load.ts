/**
 * @module config/load
 * Turns YAML text (and the environment) into a validated {@link Config}, or into a list of
 * problems that each name the key path. Never throws for bad input.
 */
import { Composer, Parser, parseAllDocuments } from 'yaml'
import type { z } from 'zod'
import { bindEnvironment } from './env-binding.ts'
import { applyEnvOverrides, isSecretVariable, SECRET_KEY_NAMES } from './env-overrides.ts'
import { notNeededReason } from './original-keys.ts'
import { resolvePlaceholders } from './placeholders.ts'
import { mergeDocuments } from './profiles.ts'
import { bindRelaxed } from './relaxed-binding.ts'
import { configSchema, type Config } from './schema.ts'
import { coreOf } from './schema-walk.ts'
import type { ConfigSource } from './source.ts'

/** Outcome of loading: the config with warnings, or the problems that stop start-up. */
export type LoadResult = { ok: true; config: Config; warnings: string[] } | { ok: false; problems: string[] }

export { ENV_OVERRIDES, type EnvOverride } from './env-overrides.ts'

/** Parses and validates configuration text. `origin` names the source in messages. */
export function loadConfigText(text: string, env: Record<string, string | undefined> = {}, origin = 'config'): LoadResult {
  const parsed = parseConfigText(text, origin, env)
  return parsed.ok ? validateConfig(parsed.raw, env, parsed.notes) : parsed
}

type Parsed = { ok: true; raw: Record<string, unknown>; notes: string[] } | { ok: false; problems: string[] }

/** The YAML documents as plain data, merged for the active profiles, or the problems that make them unreadable. */
function parseConfigText(text: string, origin: string, env: Record<string, string | undefined>): Parsed {
  const docs = parseAllDocuments(text, { prettyErrors: true })
  const all = Array.isArray(docs) ? docs : [docs]
  const errors = all.flatMap((doc) => doc.errors)
  if (errors.length > 0) return { ok: false, problems: errors.map((e) => `${origin}: invalid YAML: ${e.message.split('\n')[0]}`) }
  return rawOfDocuments(all.map((doc) => doc.toJS() as unknown), origin, env)
}

/** Several documents (`---`) merged as Spring Boot merges them for the active profiles (config/profiles.ts). */
function rawOfDocuments(data: unknown[], origin: string, env: Record<string, string | undefined>): Parsed {
  const mappings: Record<string, unknown>[] = []
  for (const item of data) {
    const one = rawOf(item, origin)
    if (!one.ok) return one
    mappings.push(one.raw)
  }
  if (mappings.length <= 1) return { ok: true, raw: mappings[0] ?? {}, notes: [] }
  const { raw, notes } = mergeDocuments(mappings, env)
  return { ok: true, raw, notes }
}

/** The parsed document as the mapping the schema expects (an empty document is an empty mapping). */
function rawOf(data: unknown, origin: string): { ok: true; raw: Record<string, unknown> } | { ok: false; problems: string[] } {
  const raw = data ?? {}
  if (!isRecord(raw)) return { ok: false, problems: [`${origin}: expected a mapping at the top level`] }
  return { ok: true, raw }
}

/** Applies the environment's overrides to the parsed document and validates it against the schema. */
function validateConfig(raw: Record<string, unknown>, env: Record<string, string | undefined>, documentNotes: string[] = []): LoadResult {
  // Spring Boot's spellings and conversions first (the original's files are written for them),
  // so that the environment's overrides and the schema see the schema's keys.
  // Every key from the environment (and SPRING_APPLICATION_JSON) over the file, as Spring Boot binds them.
  const fromEnvKeys = bindEnvironment(raw, env, configSchema, isSecretVariable)
  const binding = bindRelaxed(raw, configSchema)
  const placeholders = resolvePlaceholders(raw, env, ['cf', 'promregator', 'server'])
  const fromEnv = applyEnvOverrides(raw, env)
  // jitless: the configuration is validated once per process; zod's JIT (compiling each object
  // parser with `new Function`) only pays off over many parses and made this first one about 40%
  // slower (bench/startup.ts). Per call, so the Cloud Controller shapes parsed per resource keep it.
  const parsed = configSchema.safeParse(raw, { reportInput: true, jitless: true })
  if (!parsed.success || fromEnv.problems.length > 0 || placeholders.problems.length > 0 || fromEnvKeys.problems.length > 0) {
    // The notes go along: an ignored variable is often why a credential is missing.
    const issues = parsed.success ? [] : parsed.error.issues.flatMap((issue) => formatIssue(issue).split('\n'))
    return { ok: false, problems: [...fromEnvKeys.problems, ...placeholders.problems, ...fromEnv.problems, ...issues, ...binding.notes, ...fromEnv.notes] }
  }
  const warnings = [
    ...documentNotes,
    ...fromEnvKeys.notes,
    ...binding.notes,
    ...placeholders.notes,
    ...fromEnv.notes,
    ...unknownKeys(configSchema, pick(raw, ['cf', 'promregator', 'server']), []).map((path) => {
      const why = notNeededReason(path)
      return why === undefined ? `${path}: unknown key, ignored` : `${path}: a key of the original not needed here (${why}); ignored`
    }),
  ]
  return { ok: true, config: parsed.data, warnings }
}

/**
 * Reads and loads whichever source {@link chooseConfigSource} picked; a missing or unreadable file
 * is a problem, not an exception. `pause` is awaited between the steps of parsing the YAML and
 * before validating it (src/boot.ts: each is a few milliseconds of uninterrupted work at start-up).
 */
export async function loadConfigSource(
  source: ConfigSource,
  readText: (path: string) => Promise<string>,
  env: Record<string, string | undefined> = {},
  pause: () => Promise<void> = () => Promise.resolve(),
): Promise<LoadResult> {
  let text: string
  if (source.kind === 'text') text = source.text
  else {
    try {
      text = await readText(source.path)
    } catch (error) {
      const code = (error as { code?: string }).code
      const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : String((error as Error).message ?? error)
      return { ok: false, problems: [`${source.path}: cannot read configuration: ${why}`] }
    }
  }
  // The YAML parser's first run is the longest piece of start-up (~5 ms of code run for the first
  // time), so it is taken apart: the concrete syntax tree of each half of the text (the parser takes
  // a text in parts), then the document composed from it.
  const parser = new Parser()
  const cut = text.indexOf('\n', text.length >> 1) + 1
  const tokens = Array.from(parser.parse(text.slice(0, cut), true))
  await pause()
  for (const token of parser.parse(text.slice(cut))) tokens.push(token)
  await pause()
  const docs = Array.from(new Composer().compose(tokens, true, text.length))
  // Anything unusual (errors) takes the one-call path, which words the problems.
  const parsed = docs.some((d) => d.errors.length > 0) ? parseConfigText(text, source.origin, env) : rawOfDocuments(docs.map((d) => d.toJS() as unknown), source.origin, env)
  if (!parsed.ok) return parsed
  await pause()
  return validateConfig(parsed.raw, env, parsed.notes)
}

export { CONFIG_FILE_ENV, CONFIG_YAML_ENV, chooseConfigSource, type ConfigSource } from './source.ts'

/** `promregator.targets[0].orgName: expected a string` */
export function formatIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union') {
    // A union (e.g. `cf`: one block or a list): report the branch that matches the input's kind.
    const branch = issue.errors.find((issues) => !issues.every((i) => i.code === 'invalid_type' && i.path.length === 0))
    if (branch && branch.length > 0) return branch.map((i) => formatIssue({ ...i, path: [...issue.path, ...i.path] })).join('\n')
    const first = issue.errors[0]?.[0]
    if (first) return formatIssue({ ...first, path: issue.path, input: issue.input } as z.core.$ZodIssue)
  }
  const path = formatPath(issue.path)
  return `${path || '(top level)'}: ${describeIssue(issue)}`
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '')
}

/** Where the product refuses a list the original accepted and then misread, what to write instead. */
const LIST_HINTS: Record<string, string> = {
  applicationName: 'the original ignores a list here and then scrapes every app of the space; name one app per target, or use applicationRegex',
}

const ARTICLE: Record<string, string> = { array: 'an array', object: 'a mapping', int: 'a whole number' }

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return `required (${ARTICLE[issue.expected] ?? `a ${issue.expected}`})`
    // The value of a secret key is not echoed: the message goes to logs.
    const secret = SECRET_KEY_NAMES.has(String(issue.path.at(-1)))
    const hint = Array.isArray(issue.input) ? LIST_HINTS[String(issue.path.at(-1))] : undefined
    return `expected ${ARTICLE[issue.expected] ?? `a ${issue.expected}`}, got ${typeName(issue.input, !secret)}${hint ? `; ${hint}` : ''}`
  }
  if (issue.code === 'invalid_value' && 'values' in issue) return `expected one of ${issue.values.map(String).join(', ')}`
  return issue.message
}

function typeName(value: unknown, withValue: boolean): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'a mapping'
  return withValue ? `${typeof value} ${JSON.stringify(value)}` : `a ${typeof value}`
}

/** Lists key paths in `value` that the schema does not know (for warnings). */
function unknownKeys(schema: z.ZodType, value: unknown, path: PropertyKey[]): string[] {
  const { def } = coreOf(schema, value)
  if (def.type === 'array') return Array.isArray(value) ? value.flatMap((item, i) => unknownKeys(def.element!, item, [...path, i])) : []
  if (def.type !== 'object' || !isRecord(value)) return []
  const shape = def.shape!
  return Object.entries(value).flatMap(([key, child]) => (shape[key] ? unknownKeys(shape[key], child, [...path, key]) : [formatPath([...path, key])]))
}

function pick(raw: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in raw).map((k) => [k, raw[k]]))
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
