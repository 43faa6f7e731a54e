/**
 * @module simulator/label-selector
 * The Cloud Controller's `label_selector`, read as it reads it: the requirements are the runs of
 * text between commas outside parentheses (empty ones skipped), each matched as it is, untrimmed,
 * against fixed patterns tried in order — `key in (v1,v2)`, `key notin (v1,v2)`, `key=value` /
 * `key==value`, `key!=value`, `key`, `!key` — where a key is letters, digits and `-_./` only. So
 * `env = prod`, `env=prod, tier=web` (the space after the comma), `tier in (a, b)`, `tier in(a,b)`
 * and `! legacy` are 400s, while `env=` and `tier in ()` are valid (a label value may be empty).
 * Keys and values are then checked as labels are: an optional DNS prefix and `/`, a name of 1-63
 * letters, digits, `-`, `_`, `.` starting and ending alphanumeric; values likewise, or empty.
 */
import { badQuery } from './query.ts'

/** One parsed requirement. */
export type LabelRequirement =
  | { op: 'exists'; key: string }
  | { op: 'notExists'; key: string }
  | { op: 'equals'; key: string; value: string }
  | { op: 'notEquals'; key: string; value: string }
  | { op: 'in'; key: string; values: string[] }
  | { op: 'notin'; key: string; values: string[] }

/** A compiled selector: true when a resource's labels satisfy every requirement. */
export type LabelMatcher = (labels: Record<string, string>) => boolean

const KEY_CHARACTERS = String.raw`[A-Za-z0-9_\-./]+`
const REQUIREMENT = /(?:\(.*?\)|[^,])+/g
const PATTERNS: Array<{ pattern: RegExp; op: LabelRequirement['op'] }> = [
  { pattern: /^(.*?) in \((.*)\)$/, op: 'in' },
  { pattern: /^(.*?) notin \((.*)\)$/, op: 'notin' },
  { pattern: new RegExp(`^(${KEY_CHARACTERS})==?(.*)$`), op: 'equals' },
  { pattern: new RegExp(`^(${KEY_CHARACTERS})!=(.*)$`), op: 'notEquals' },
  { pattern: new RegExp(`^(${KEY_CHARACTERS})()$`), op: 'exists' },
  { pattern: new RegExp(`^!(${KEY_CHARACTERS})()$`), op: 'notExists' },
]
const NAME = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/
const DNS_PREFIX = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i
const MAX_REQUIREMENTS = 50

function invalid(selector: string) {
  return badQuery(`The query parameter is invalid: Invalid label_selector value: '${selector}'`)
}

function validKey(key: string): boolean {
  const parts = key.split('/')
  if (parts.length > 2) return false
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]!]
  if (prefix !== undefined && (prefix.length > 253 || !DNS_PREFIX.test(prefix))) return false
  return NAME.test(name ?? '')
}

const validValue = (value: string) => value === '' || NAME.test(value)

/** Ruby's `String#split(',')`: trailing empty fields dropped, so `''` gives no values. */
function rubySplit(text: string): string[] {
  const fields = text.split(',')
  while (fields.length > 0 && fields[fields.length - 1] === '') fields.pop()
  return fields
}

function parseRequirement(text: string, selector: string): LabelRequirement {
  for (const { pattern, op } of PATTERNS) {
    const match = pattern.exec(text)
    if (!match) continue
    const key = match[1] ?? ''
    const rest = match[2] ?? ''
    if (!validKey(key)) throw invalid(selector)
    if (op === 'in' || op === 'notin') {
      const values = rubySplit(rest)
      if (!values.every(validValue)) throw invalid(selector)
      return { op, key, values }
    }
    if (op === 'equals' || op === 'notEquals') {
      if (!validValue(rest)) throw invalid(selector)
      return { op, key, value: rest }
    }
    return { op, key }
  }
  throw invalid(selector)
}

/** Parses a decoded selector; throws CF-BadQueryParameter where the Cloud Controller answers 400. */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  const parts = selector.match(REQUIREMENT) ?? []
  if (parts.length === 0 || parts.length > MAX_REQUIREMENTS) throw invalid(selector)
  return parts.map((part) => parseRequirement(part, selector))
}

function satisfies(requirement: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, requirement.key)
  const value = labels[requirement.key]
  switch (requirement.op) {
    case 'exists': return has
    case 'notExists': return !has
    case 'equals': return has && value === requirement.value
    // inequality and set exclusion also match resources without the key (CC docs)
    case 'notEquals': return !has || value !== requirement.value
    case 'in': return has && requirement.values.includes(value ?? '')
    case 'notin': return !has || !requirement.values.includes(value ?? '')
  }
}

/** Compiles a decoded selector into a matcher. */
export function compileLabelSelector(selector: string): LabelMatcher {
  const requirements = parseLabelSelector(selector)
  return (labels) => requirements.every((r) => satisfies(r, labels))
}
