/**
 * @module exposition/escape
 *
 * Character-level helpers shared by the parser, the writer and the merger: escaping of label values
 * and HELP text, number formatting, name validation, and decoding of label text that is already in
 * canonical form (`a="1",b="x\"y"`). Kept separate so the rules live in one place.
 */
import type { Format } from './types.ts'

const BACKSLASH = 92
const QUOTE = 34

const LABEL_VALUE_SPECIAL = /[\\"\n]/
const LABEL_VALUE_SPECIAL_G = /[\\"\n]/g
const HELP_TEXT_SPECIAL = /[\\\n]/
const HELP_TEXT_SPECIAL_G = /[\\\n]/g

function escapeChar(c: string): string {
  return c === '\n' ? '\\n' : c === '\\' ? '\\\\' : '\\"'
}

/** Text timestamps are int64 milliseconds (as Prometheus keeps them); beyond that one cannot be written in text. */
export const MAX_TS_MS = 9.2e18

/** Escape a label value for either format (both use `\\`, `\"`, `\n`). One regex test per value. */
export function escapeLabelValue(value: string): string {
  return LABEL_VALUE_SPECIAL.test(value) ? value.replace(LABEL_VALUE_SPECIAL_G, escapeChar) : value
}

/**
 * Escape HELP text. Text 0.0.4 escapes only `\\` and `\n` (a `"` is literal there); OpenMetrics also
 * escapes `"`.
 */
export function escapeHelp(help: string, format: Format): string {
  if (format === 'openmetrics') return escapeLabelValue(help)
  return HELP_TEXT_SPECIAL.test(help) ? help.replace(HELP_TEXT_SPECIAL_G, escapeChar) : help
}

/** Serialise labels to canonical text without braces: `a="1",b="2"` (insertion order). */
export function serialiseLabels(labels: Record<string, string>): string {
  const parts: string[] = []
  for (const name in labels) parts.push(name + '="' + escapeLabelValue(labels[name] as string) + '"')
  // join gives a flat string (not a rope): these strings are reused for many lines.
  return parts.join(',')
}

/**
 * Format a number the way both Prometheus parsers read it back exactly: `NaN`, `+Inf`, `-Inf`, `-0`,
 * otherwise the shortest round-tripping decimal (JavaScript's `String`, e.g. `1e+21`, which Go's
 * `ParseFloat` accepts).
 */
export function formatNumber(v: number): string {
  if (v !== v) return 'NaN'
  if (v === Infinity) return '+Inf'
  if (v === -Infinity) return '-Inf'
  if (v === 0 && 1 / v < 0) return '-0'
  return String(v)
}

function lowerEquals(s: string, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false
  for (let i = 0; i < word.length; i++) {
    // ASCII lower-casing by setting bit 5; only compared against lowercase letters.
    if ((s.charCodeAt(start + i) | 32) !== word.charCodeAt(i)) return false
  }
  return true
}

/**
 * Validate a float token in `s[start,end)` with the grammar Go's `strconv.ParseFloat` accepts for
 * exposition values (decimal, exponent, `Inf`/`Infinity` with sign, `NaN`; case-insensitive), minus
 * hex floats and underscores. Returns the number, or `undefined` if the token is not a valid float
 * or overflows (Go reports overflow as an error, so Prometheus would reject it too).
 */
export function scanFloat(s: string, start: number, end: number): number | undefined {
  const r = checkFloat(s, start, end)
  return r === FLOAT_INVALID ? undefined : r === FLOAT_VALID ? Number(s.slice(start, end)) : r
}

/** {@link checkFloat} result: the token is not a float. */
export const FLOAT_INVALID = -1
/** {@link checkFloat} result: a plain decimal, not converted (the caller slices it if needed). */
export const FLOAT_VALID = -2

/**
 * Validate a float token without converting it when that is not needed (the hot path keeps value
 * tokens as text). Returns FLOAT_INVALID, FLOAT_VALID, or the value itself for special values and
 * for tokens that had to be converted to detect overflow (which is then already excluded).
 */
export function checkFloat(s: string, start: number, end: number): number {
  if (start >= end) return FLOAT_INVALID
  let i = start
  let c = s.charCodeAt(i)
  let neg = false
  if (c === 43 || c === 45) {
    neg = c === 45
    i++
    if (i >= end) return FLOAT_INVALID
    c = s.charCodeAt(i)
  }
  if ((c | 32) === 105 /* i */) {
    if (lowerEquals(s, i, end, 'inf') || lowerEquals(s, i, end, 'infinity')) return neg ? -Infinity : Infinity
    return FLOAT_INVALID
  }
  if ((c | 32) === 110 /* n */) {
    return i === start && lowerEquals(s, i, end, 'nan') ? NaN : FLOAT_INVALID
  }
  let digits = 0
  while (i < end && (c = s.charCodeAt(i)) >= 48 && c <= 57) { i++; digits++ }
  let risky = digits > 15
  if (i < end && s.charCodeAt(i) === 46) {
    i++
    while (i < end && (c = s.charCodeAt(i)) >= 48 && c <= 57) { i++; digits++ }
  }
  if (digits === 0) return FLOAT_INVALID
  if (i < end && (s.charCodeAt(i) | 32) === 101 /* e */) {
    i++
    if (i < end && ((c = s.charCodeAt(i)) === 43 || c === 45)) i++
    const expStart = i
    while (i < end && (c = s.charCodeAt(i)) >= 48 && c <= 57) i++
    if (i === expStart) return FLOAT_INVALID
    risky = true
  }
  if (i !== end) return FLOAT_INVALID
  if (!risky) return FLOAT_VALID
  // Only exponents or very long mantissas can overflow to ±Inf; Go rejects that with ErrRange.
  const n = Number(s.slice(start, end))
  return n === Infinity || n === -Infinity ? FLOAT_INVALID : FLOAT_VALID
}

/** Convert a value token already validated by {@link scanFloat} (or written by {@link formatNumber}). */
export function numberOfToken(token: string): number {
  const n = scanFloat(token, 0, token.length)
  return n === undefined ? NaN : n
}

/** `[a-zA-Z_:]` */
export function isMetricNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58
}
/** `[a-zA-Z0-9_:]` */
export function isMetricNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 58
}
/** `[a-zA-Z_]` */
export function isLabelNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95
}
/** `[a-zA-Z0-9_]` */
export function isLabelNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95
}

/** Unescape `s[start,end)` (a label value or OpenMetrics HELP: `\\`, `\"`, `\n`; other pairs kept). */
export function unescape(s: string, start: number, end: number): string {
  let out = ''
  let from = start
  for (let i = start; i < end; i++) {
    if (s.charCodeAt(i) !== BACKSLASH || i + 1 >= end) continue
    const n = s.charCodeAt(i + 1)
    const rep = n === BACKSLASH ? '\\' : n === QUOTE ? '"' : n === 110 ? '\n' : undefined
    if (rep === undefined) continue
    out += s.slice(from, i) + rep
    i++
    from = i + 1
  }
  return out + s.slice(from, end)
}

/** Unescape text-format HELP: only `\\` and `\n` are escapes there. */
export function unescapeTextHelp(s: string, start: number, end: number): string {
  let out = ''
  let from = start
  for (let i = start; i < end; i++) {
    if (s.charCodeAt(i) !== BACKSLASH || i + 1 >= end) continue
    const n = s.charCodeAt(i + 1)
    if (n !== BACKSLASH && n !== 110) continue
    out += s.slice(from, i) + (n === BACKSLASH ? '\\' : '\n')
    i++
    from = i + 1
  }
  return out + s.slice(from, end)
}

/**
 * Split canonical label text (`a="1",b="x\"y"`, as produced by the parser or {@link serialiseLabels})
 * into alternating `[name, escapedValue, ...]`. Values stay escaped so they can be re-joined as is.
 */
export function splitCanonicalLabels(text: string): string[] {
  const out: string[] = []
  let i = 0
  const n = text.length
  while (i < n) {
    const eq = text.indexOf('=', i)
    if (eq < 0) break
    const name = text.slice(i, eq)
    let j = eq + 2 // skip `="`
    while (j < n) {
      const c = text.charCodeAt(j)
      if (c === BACKSLASH) j += 2
      else if (c === QUOTE) break
      else j++
    }
    out.push(name, text.slice(eq + 2, j))
    i = j + 2 // skip `",`
  }
  return out
}

/** Decode canonical label text into a record of unescaped values. */
export function decodeCanonicalLabels(text: string): Record<string, string> {
  const parts = splitCanonicalLabels(text)
  const rec: Record<string, string> = {}
  for (let k = 0; k < parts.length; k += 2) {
    const v = parts[k + 1] as string
    rec[parts[k] as string] = v.indexOf('\\') < 0 ? v : unescape(v, 0, v.length)
  }
  return rec
}

/** Characters used by callers that scan lines. */
export const CHAR = { BACKSLASH, QUOTE, SPACE: 32, TAB: 9, HASH: 35, LBRACE: 123, RBRACE: 125, COMMA: 44, EQUALS: 61 } as const
