/**
 * @module simulator/label-selector
 * Cloud Controller's `label_selector` grammar: `key`, `!key`, `key=value`, `key==value`,
 * `key!=value`, `key in (a,b)`, `key notin (a,b)`, requirements separated by commas and AND'ed.
 * Commas inside parentheses belong to the set, so splitting must track nesting.
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

const KEY = String.raw`[A-Za-z0-9][A-Za-z0-9\-_./]*`
const VALUE = String.raw`[A-Za-z0-9\-_.]*`
const SET_PATTERN = new RegExp(String.raw`^(${KEY})\s+(in|notin)\s+\(([^()]*)\)$`)
const COMPARE_PATTERN = new RegExp(String.raw`^(${KEY})\s*(==|!=|=)\s*(${VALUE})$`)
const EXISTS_PATTERN = new RegExp(String.raw`^(!?)\s*(${KEY})$`)
const MAX_REQUIREMENTS = 50

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(selector: string): string[] {
  const parts: string[] = []
  let depth = 0
  let current = ''
  for (const char of selector) {
    if (char === '(') depth++
    if (char === ')') depth--
    if (depth < 0) throw invalid(selector)
    if (char === ',' && depth === 0) {
      parts.push(current)
      current = ''
    } else current += char
  }
  if (depth !== 0) throw invalid(selector)
  parts.push(current)
  return parts.map((p) => p.trim())
}

function invalid(selector: string) {
  return badQuery(`The query parameter is invalid: Invalid label_selector value: '${selector}'`)
}

function parseRequirement(text: string, selector: string): LabelRequirement {
  const set = SET_PATTERN.exec(text)
  if (set) {
    const values = (set[3] ?? '').split(',').map((v) => v.trim())
    if (values.some((v) => !new RegExp(`^${VALUE}$`).test(v))) throw invalid(selector)
    return { op: set[2] === 'in' ? 'in' : 'notin', key: set[1] ?? '', values }
  }
  const compare = COMPARE_PATTERN.exec(text)
  if (compare) {
    const key = compare[1] ?? ''
    const value = compare[3] ?? ''
    return compare[2] === '!=' ? { op: 'notEquals', key, value } : { op: 'equals', key, value }
  }
  const exists = EXISTS_PATTERN.exec(text)
  if (exists) return { op: exists[1] === '!' ? 'notExists' : 'exists', key: exists[2] ?? '' }
  throw invalid(selector)
}

/** Parses a decoded selector; throws CF-BadQueryParameter on syntax errors. */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  if (selector.trim() === '') throw invalid(selector)
  const requirements = splitTopLevel(selector).map((part) => parseRequirement(part, selector))
  if (requirements.length > MAX_REQUIREMENTS) throw invalid(selector)
  return requirements
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
