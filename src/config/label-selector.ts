/**
 * @module config/label-selector
 * Checks a Cloud Controller `label_selector` when the configuration is loaded, with the key and
 * value rules the Cloud Controller applies, and writes it the one way the Cloud Controller reads it.
 * Its parser takes the text between commas as it is and matches each requirement against fixed
 * patterns: `key=value` with nothing around the operator, sets exactly as `key in (a,b)`, `!key`
 * with nothing after the `!`. `env=prod, tier in (a, b)` is therefore a 400 for the whole
 * discovery run. Operators write spaces, so this parser allows them and
 * {@link canonicalLabelSelector} gives the form that is sent; a selector that means nothing
 * stops start-up naming the requirement, instead of coming back as a 400 from every discovery run.
 * Empty values are valid label values: `env=` and `tier in ()` are accepted, as the Cloud Controller does.
 */

/** One requirement of a selector; requirements are AND'ed. */
export type LabelRequirement =
  | { op: 'exists' | 'notExists'; key: string }
  | { op: 'equals' | 'notEquals'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }

/** The requirements of a valid selector, or why it is not one. */
export type SelectorResult = { ok: true; requirements: LabelRequirement[] } | { ok: false; problem: string }

/** Most requirements the Cloud Controller accepts in one selector. */
export const MAX_REQUIREMENTS = 50
const MAX_NAME = 63
const MAX_VALUE = 63
const MAX_PREFIX = 253

const SET = /^([^\s()]+)\s+(in|notin)\s*\(([^()]*)\)$/
const COMPARE = /^(.*?)\s*(==|!=|=)\s*(.*)$/
const NOT_EXISTS = /^!\s*(.*)$/
/** Letters, digits, `-`, `_`, `.` (ASCII, as Ruby's `\w`). */
const CHARSET = /^[A-Za-z0-9_.-]*$/
const ALNUM_ENDS = /^[A-Za-z0-9](.*[A-Za-z0-9])?$/
const DNS_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i
const FORMS = '`key`, `!key`, `key=value`, `key==value`, `key!=value`, `key in (v1,v2)` or `key notin (v1,v2)`'

/** Parses a selector such as `prometheus-scrape=true,team in (a,b),!legacy`. */
export function parseLabelSelector(selector: string): SelectorResult {
  const parts = splitRequirements(selector)
  if (typeof parts === 'string') return { ok: false, problem: parts }
  if (parts.length > MAX_REQUIREMENTS) {
    return { ok: false, problem: `${parts.length} requirements; the Cloud Controller accepts at most ${MAX_REQUIREMENTS}` }
  }
  const requirements: LabelRequirement[] = []
  for (const [i, text] of parts.entries()) {
    const parsed = parseRequirement(text)
    if (typeof parsed === 'string') return { ok: false, problem: `requirement ${i + 1} ${quote(text)}: ${parsed}` }
    requirements.push(parsed)
  }
  return { ok: true, requirements }
}

/** Splits on the commas outside parentheses (those inside separate the values of a set). */
function splitRequirements(selector: string): string[] | string {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i <= selector.length; i++) {
    const char = selector[i]
    if (char === '(') depth++
    if (char === ')' && --depth < 0) return `requirement ${parts.length + 1} ${quote(selector.slice(start, i + 1).trim())}: ')' without '('`
    if (i === selector.length || (char === ',' && depth === 0)) {
      if (depth > 0) return `requirement ${parts.length + 1} ${quote(selector.slice(start).trim())}: '(' without ')'`
      parts.push(selector.slice(start, i).trim())
      start = i + 1
    }
  }
  return parts
}

function parseRequirement(text: string): LabelRequirement | string {
  if (text === '') return 'empty (a comma too many?)'
  if (/[()]/.test(text)) return parseSet(text)
  const negated = NOT_EXISTS.exec(text)
  if (negated && !text.startsWith('!=')) {
    const key = negated[1]!
    if (key === '') return "no key after '!'"
    if (/[=!]/.test(key)) return '`!key` takes no value (for inequality write `key!=value`)'
    return keyProblem(key) ?? { op: 'notExists', key }
  }
  const compare = COMPARE.exec(text)
  if (compare) {
    const [, key = '', op, value = ''] = compare
    if (key === '') return `no key before '${op}'`
    return keyProblem(key) ?? valueProblem(value) ?? { op: op === '!=' ? 'notEquals' : 'equals', key, value }
  }
  if (/\s/.test(text)) return `not a requirement: expected ${FORMS}`
  return keyProblem(text) ?? { op: 'exists', key: text }
}

function parseSet(text: string): LabelRequirement | string {
  const set = SET.exec(text)
  if (!set) return `not a requirement: a set is written \`key in (v1,v2)\` or \`key notin (v1,v2)\` (lower case, one pair of parentheses at the end)`
  const [, key = '', op, list = ''] = set
  const values = list.trim() === '' ? [] : list.split(',').map((v) => v.trim())
  return keyProblem(key) ?? firstOf(values.map(valueProblem)) ?? { op: op === 'in' ? 'in' : 'notin', key, values }
}

/** Label key: optional DNS-style prefix and `/`, then a name of 1-63 characters. */
function keyProblem(key: string): string | undefined {
  const slashes = key.split('/').length - 1
  if (slashes > 1) return `key ${quote(key)} has more than one '/'`
  const [prefix, name] = slashes === 1 ? (key.split('/') as [string, string]) : [undefined, key]
  if (prefix !== undefined) {
    if (prefix === '') return `key ${quote(key)} has an empty prefix before '/'`
    if (prefix.length > MAX_PREFIX) return `prefix of key ${quote(key)} is longer than ${MAX_PREFIX} characters`
    if (!DNS_NAME.test(prefix)) return `prefix ${quote(prefix)} of key ${quote(key)} is not a DNS name (letters, digits and '-' between dots)`
  }
  if (name === '') return `key ${quote(key)} has an empty name after '/'`
  return charsetProblem(prefix === undefined ? `key ${quote(key)}` : `name ${quote(name)} of key ${quote(key)}`, name, MAX_NAME)
}

/** A label value: empty, or 1-63 characters like a key's name. */
function valueProblem(value: string): string | undefined {
  return value === '' ? undefined : charsetProblem(`value ${quote(value)}`, value, MAX_VALUE)
}

function charsetProblem(what: string, text: string, max: number): string | undefined {
  if (!CHARSET.test(text)) return `${what} has characters other than letters, digits, '-', '_' and '.'`
  if (!ALNUM_ENDS.test(text)) return `${what} must start and end with a letter or digit`
  if (text.length > max) return `${what} is longer than ${max} characters`
  return undefined
}

function firstOf(problems: (string | undefined)[]): string | undefined {
  return problems.find((p) => p !== undefined)
}

function quote(text: string): string {
  return `'${text}'`
}

/** One requirement as the Cloud Controller reads it: no space but the one each side of `in`/`notin`. */
function formatRequirement(r: LabelRequirement): string {
  switch (r.op) {
    case 'exists':
      return r.key
    case 'notExists':
      return `!${r.key}`
    case 'equals':
      return `${r.key}=${r.value}`
    case 'notEquals':
      return `${r.key}!=${r.value}`
    case 'in':
    case 'notin':
      return `${r.key} ${r.op} (${r.values.join(',')})`
  }
}

/**
 * The selector as it is sent to the Cloud Controller: the requirements of a valid selector written
 * without the spaces it refuses (`env = prod, tier in (a, b)` → `env=prod,tier in (a,b)`). A
 * selector that does not parse is returned as it is (the configuration check refuses it first).
 */
export function canonicalLabelSelector(selector: string): string {
  const parsed = parseLabelSelector(selector)
  return parsed.ok ? parsed.requirements.map(formatRequirement).join(',') : selector
}
