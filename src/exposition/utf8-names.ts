/**
 * @module exposition/utf8-names
 * UTF-8 metric and label names, as Prometheus 3 reads and writes them: quoted, the metric name
 * inside the braces (`{"my.metric","label.name"="v"} 1`) and in `# HELP "my.metric" ...` /
 * `# TYPE "my.metric" ...`. The parser reads legacy names only, so quoted names are rewritten line
 * by line before parsing, one of two ways:
 * - `legacy`: Prometheus's `underscores` escaping (every character outside `[a-zA-Z0-9_:]` —
 *   `[a-zA-Z0-9_]` for label names — becomes `_`, a leading digit gets a `_` before it), for every
 *   answer that does not ask for UTF-8 names: readable by every Prometheus and by promtool;
 * - `encoded`: a reversible legacy spelling, `__u8_<hex of the part up to its last non-legacy
 *   character>_<the legacy rest>`, for an answer to a scraper that allows UTF-8 names
 *   (`escaping=allow-utf-8`). The legacy rest keeps suffixes where the parser looks for them
 *   (`"my.metric_total"` is `__u8_6d792e_metric_total`, its family `"my.metric"` is
 *   `__u8_6d792e_metric`), and {@link quoteEncodedNames} turns the merged answer's encoded names
 *   back into quoted ones. `__` starts names Prometheus reserves for itself: an instance's own name
 *   of that spelling (`__u8_61_x`) would be read as one (`"ax"`), a case left unhandled.
 * Bodies without a quoted name (every body but a few) are not touched: a substring test decides.
 */

/** How quoted names of a body are rewritten for the parser (see the module comment). */
export type NameSpelling = 'legacy' | 'encoded'

/**
 * Where a quoted name can start: after `{` or `,` (blanks allowed in text), or as the name of a
 * `HELP`/`TYPE` line. Bodies without a match (nearly all) are left alone after one pass.
 */
const QUOTED_NAME = /[{,][ \t]*"|(?:HELP|TYPE|UNIT)[ \t]+"/

/** Whether a text body may hold a quoted name. */
export function mayHaveQuotedNames(body: string): boolean {
  return QUOTED_NAME.test(body)
}

/** Prometheus's `underscores` escaping of a metric name (`label` true: of a label name, no `:`). */
export function legacyName(name: string, label = false): string {
  const escaped = name.replace(label ? /[^a-zA-Z0-9_]/gu : /[^a-zA-Z0-9_:]/gu, '_')
  return /^[0-9]/.test(escaped) || escaped === '' ? `_${escaped}` : escaped
}

/** The body with every quoted name respelled; lines that cannot be read are left for the parser to report. */
export function withRespelledNames(body: string, spelling: NameSpelling = 'legacy'): string {
  const respell = spelling === 'legacy' ? legacyName : encodedName
  return body
    .split('\n')
    .map((line) => rewriteLine(line, respell) ?? line)
    .join('\n')
}

const LEGACY_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LEGACY_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const ENCODED_PREFIX = '__u8_'

/**
 * The reversible legacy spelling of a name (`label`: of a label name); a name that is legacy
 * already stays as it is.
 */
export function encodedName(name: string, label = false): string {
  if ((label ? LEGACY_LABEL_NAME : LEGACY_METRIC_NAME).test(name)) return name
  // The longest legacy tail that can follow `_`: legacy characters, not starting with a digit.
  let tail = name.length
  while (tail > 0 && (label ? /[a-zA-Z0-9_]/ : /[a-zA-Z0-9_:]/).test(name[tail - 1]!)) tail--
  while (tail < name.length && /[0-9]/.test(name[tail]!)) tail++
  let hex = ''
  for (const byte of utf8Encoder.encode(name.slice(0, tail))) hex += byte.toString(16).padStart(2, '0')
  return `${ENCODED_PREFIX}${hex}_${name.slice(tail)}`
}

const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder()
const ENCODED = /__u8_([0-9a-f]+)_([a-zA-Z0-9_:]*)/y

/** The name an encoded token at `at` of `text` stands for, and where the token ends; undefined if none starts there. */
function decodedAt(text: string, at: number): { name: string; end: number } | undefined {
  ENCODED.lastIndex = at
  const m = ENCODED.exec(text)
  if (!m) return undefined
  const hex = m[1]!
  const bytes = new Uint8Array(hex.length >> 1)
  for (let k = 0; k < bytes.length; k++) bytes[k] = parseInt(hex.slice(2 * k, 2 * k + 2), 16)
  return { name: utf8Decoder.decode(bytes) + m[2]!, end: at + m[0].length }
}

/** A name quoted as in a label value (`\\`, `\"`, `\n` escaped). */
function quotedName(name: string): string {
  return `"${name.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`
}

/**
 * A merged answer (text or OpenMetrics, as written by the product) with every encoded name
 * (`encoded` spelling) written as Prometheus 3 reads UTF-8 names: quoted, a metric name inside the
 * braces. Only lines holding an encoded name are rewritten; label values are never touched.
 */
export function quoteEncodedNames(answer: string): string {
  // Only the lines holding an encoded name are cut out and rewritten; the rest is copied in slices.
  let out = ''
  let copied = 0
  for (let at = answer.indexOf(ENCODED_PREFIX); at >= 0; at = answer.indexOf(ENCODED_PREFIX, copied)) {
    const lineStart = answer.lastIndexOf('\n', at) + 1
    const newline = answer.indexOf('\n', at)
    const lineEnd = newline < 0 ? answer.length : newline
    out += answer.slice(copied, lineStart) + quoteLine(answer.slice(lineStart, lineEnd))
    copied = lineEnd
  }
  return copied === 0 ? answer : out + answer.slice(copied)
}

function quoteLine(line: string): string {
  const comment = /^# (HELP|TYPE|UNIT) /.exec(line)
  if (comment) {
    const token = decodedAt(line, comment[0].length)
    return token ? `${comment[0]}${quotedName(token.name)}${line.slice(token.end)}` : line
  }
  if (line.startsWith('#')) return line
  // The sample's name, then its label names (outside values), as the writer writes them.
  const metric = decodedAt(line, 0)
  let i = metric ? metric.end : line.search(/[{ ]/)
  if (i < 0) return line
  const labels: string[] = metric ? [quotedName(metric.name)] : []
  const head = metric ? '' : line.slice(0, i)
  if (line[i] !== '{') return metric ? `{${labels[0]}}${line.slice(i)}` : line
  i++
  while (i < line.length && line[i] !== '}') {
    const label = decodedAt(line, i)
    const eq = label ? label.end : line.indexOf('=', i)
    if (eq < 0 || line[eq] !== '=') return line
    const valueEnd = endOfQuoted(line, eq + 1)
    if (valueEnd < 0) return line
    labels.push(`${label ? quotedName(label.name) : line.slice(i, eq)}${line.slice(eq, valueEnd)}`)
    i = line[valueEnd] === ',' ? valueEnd + 1 : valueEnd
  }
  return `${head}{${labels.join(',')}}${line.slice(i + 1)}`
}

/** The position after the quoted string starting at `start` (a `"`), or -1. */
function endOfQuoted(line: string, start: number): number {
  if (line[start] !== '"') return -1
  for (let i = start + 1; i < line.length; i++) {
    if (line[i] === '\\') i++
    else if (line[i] === '"') return i + 1
  }
  return -1
}

function rewriteLine(line: string, respell: (name: string, label?: boolean) => string): string | undefined {
  let i = skipBlanks(line, 0)
  if (line[i] === '#') {
    const m = /^(#[ \t]+(?:HELP|TYPE|UNIT)[ \t]+)"/.exec(line.slice(i))
    if (!m) return undefined
    const quoted = readQuoted(line, i + m[1]!.length)
    if (!quoted) return undefined
    return `${line.slice(0, i)}${m[1]}${respell(quoted.text)}${line.slice(quoted.end)}`
  }
  let name = ''
  if (line[i] !== '{') {
    const start = i
    while (i < line.length && /[a-zA-Z0-9_:]/.test(line[i]!)) i++
    name = line.slice(start, i)
    i = skipBlanks(line, i)
    if (line[i] !== '{') return undefined
  }
  const labels: string[] = []
  i++
  for (;;) {
    i = skipBlanks(line, i)
    if (line[i] === '}') break
    let key: string
    if (line[i] === '"') {
      const quoted = readQuoted(line, i)
      if (!quoted) return undefined
      i = skipBlanks(line, quoted.end)
      if (line[i] !== '=') {
        // A quoted string alone is the metric name, once.
        if (name !== '') return undefined
        name = quoted.text
        if (line[i] === ',') i++
        continue
      }
      key = respell(quoted.text, true)
    } else {
      const start = i
      while (i < line.length && /[a-zA-Z0-9_]/.test(line[i]!)) i++
      key = line.slice(start, i)
      if (key === '') return undefined
      i = skipBlanks(line, i)
      if (line[i] !== '=') return undefined
    }
    i = skipBlanks(line, i + 1)
    const value = readQuoted(line, i)
    if (!value) return undefined
    labels.push(`${key}=${line.slice(i, value.end)}`)
    i = skipBlanks(line, value.end)
    if (line[i] === ',') i++
    else if (line[i] !== '}') return undefined
  }
  if (name === '') return undefined
  const rest = line.slice(i + 1)
  return `${respell(name)}${labels.length > 0 ? `{${labels.join(',')}}` : ''}${rest}`
}

/** The quoted string starting at `start` (a `"`): its text, escapes read, and the position after the closing quote. */
function readQuoted(line: string, start: number): { text: string; end: number } | undefined {
  if (line[start] !== '"') return undefined
  let text = ''
  for (let i = start + 1; i < line.length; i++) {
    const c = line[i]!
    if (c === '"') return { text, end: i + 1 }
    if (c === '\\') {
      // Only `\\`, `\"` and `\n`, as in label values; any other escape makes the line invalid.
      const d = line[++i]
      if (d !== 'n' && d !== '\\' && d !== '"') return undefined
      text += d === 'n' ? '\n' : d
    } else text += c
  }
  return undefined
}

function skipBlanks(line: string, i: number): number {
  while (line[i] === ' ' || line[i] === '\t') i++
  return i
}
