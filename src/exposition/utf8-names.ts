/**
 * @module exposition/utf8-names
 * UTF-8 metric and label names in the text format, as prometheus/common reads them since Prometheus
 * 3: quoted, the metric name inside the braces (`{"my.metric","label.name"="v"} 1`) and in
 * `# HELP "my.metric" ...` / `# TYPE "my.metric" ...`. Such names are turned into legacy names with
 * Prometheus's `underscores` escaping (every character outside `[a-zA-Z0-9_:]` — `[a-zA-Z0-9_]` for
 * label names — becomes `_`, a leading digit gets a `_` before it), line by line before parsing, so
 * the merged answer stays readable by every Prometheus and by promtool. Bodies without a quoted
 * name (every body but a few) are not touched: a substring test decides.
 */

/**
 * Where a quoted name can start: after `{` or `,` (blanks allowed in text), or as the name of a
 * `HELP`/`TYPE` line. Bodies without a match (nearly all) are left alone after one pass.
 */
const QUOTED_NAME = /[{,][ \t]*"|(?:HELP|TYPE)[ \t]+"/

/** Whether a text body may hold a quoted name. */
export function mayHaveQuotedNames(body: string): boolean {
  return QUOTED_NAME.test(body)
}

/** Prometheus's `underscores` escaping of a metric name (`label` true: of a label name, no `:`). */
export function legacyName(name: string, label = false): string {
  const escaped = name.replace(label ? /[^a-zA-Z0-9_]/gu : /[^a-zA-Z0-9_:]/gu, '_')
  return /^[0-9]/.test(escaped) || escaped === '' ? `_${escaped}` : escaped
}

/** The text body with every quoted name written as its legacy name; lines that cannot be read are left for the parser to report. */
export function withLegacyNames(body: string): string {
  return body
    .split('\n')
    .map((line) => rewriteLine(line) ?? line)
    .join('\n')
}

function rewriteLine(line: string): string | undefined {
  let i = skipBlanks(line, 0)
  if (line[i] === '#') {
    const m = /^(#[ \t]+(?:HELP|TYPE)[ \t]+)"/.exec(line.slice(i))
    if (!m) return undefined
    const quoted = readQuoted(line, i + m[1]!.length)
    if (!quoted) return undefined
    return `${line.slice(0, i)}${m[1]}${legacyName(quoted.text)}${line.slice(quoted.end)}`
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
      key = legacyName(quoted.text, true)
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
  return `${legacyName(name)}${labels.length > 0 ? `{${labels.join(',')}}` : ''}${rest}`
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
