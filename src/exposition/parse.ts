/**
 * @module exposition/parse
 *
 * Parser for Prometheus text 0.0.4 and OpenMetrics 1.0.0. One pass over the body with `charCodeAt`,
 * slicing once per token; no regular expressions. Errors are values with 1-based line and column.
 *
 * Strictness follows what Prometheus (and promtool) would accept, so that whatever we re-emit after
 * parsing is valid for them: text allows blanks/tabs between tokens, blank lines, trailing commas in
 * label sets and arbitrary `#` comments; OpenMetrics requires single spaces, no blank lines, only
 * HELP/TYPE/UNIT/EOF comments and a final `# EOF`. Both reject invalid escapes in label values,
 * duplicate label names, a histogram bucket without `le` or a summary quantile without `quantile`,
 * and a second TYPE/HELP for a family. Interleaved families are tolerated (samples are attached to
 * their family wherever they appear), which makes the output contiguous.
 * Not supported: Prometheus 3's quoted UTF-8 names (`{"my.metric"}`), hex floats.
 */
import {
  CHAR, checkFloat, FLOAT_INVALID, isLabelNameChar, isLabelNameStart, isMetricNameChar, isMetricNameStart, scanFloat,
  unescape, unescapeTextHelp,
} from './escape.ts'
import { OM_TYPES, sampleNamesOf, TEXT_TYPES } from './families.ts'
import { publicFamily, publicSample, setLabel, type ParsedBody, type RawFamily, type RawSample } from './raw.ts'
import type { Exemplar, Format, MetricType, ParseError, ParseResult, Sample } from './types.ts'

/** Prometheus keeps timestamps as int64 milliseconds; beyond that the value cannot be re-emitted. */
const MAX_TS_MS = 9.2e18

const { SPACE, TAB, HASH, LBRACE, RBRACE, COMMA, EQUALS, QUOTE, BACKSLASH } = CHAR

interface FamState {
  fam: RawFamily
  /** Sample names this family accepts. */
  names: string[]
  typed: boolean
  helped: boolean
  united: boolean
  /** Last sample name matched (usually the same string object as the next one). */
  last: string
}

class Parser {
  readonly s: string
  readonly n: number
  readonly om: boolean
  readonly records: boolean
  lineNo = 1
  lineStart = 0
  lineEnd = 0
  eof = false
  error: ParseError | undefined
  readonly families: RawFamily[] = []
  readonly byName = new Map<string, FamState>()
  readonly bySample = new Map<string, FamState>()
  cur: FamState | undefined
  readonly labelNames = new Set<string>()
  prevName = ''
  // Results of parseLabels, kept in fields to avoid allocating a result object per sample.
  lblText = ''
  lblRec: Record<string, string> | undefined
  sawLe = false
  sawQuantile = false
  /** Label names of the previous sample by position: reused when equal, to skip a slice and a Set insert. */
  readonly lblNames: string[] = []

  constructor(s: string, format: Format, records: boolean) {
    this.s = s
    this.n = s.length
    this.om = format === 'openmetrics'
    this.records = records
  }

  fail(message: string, pos: number): false {
    this.error = { line: this.lineNo, column: pos - this.lineStart + 1, message }
    return false
  }

  run(): boolean {
    const s = this.s
    const n = this.n
    let pos = 0
    while (pos < n) {
      let end = s.indexOf('\n', pos)
      const hasNl = end >= 0
      if (!hasNl) end = n
      this.lineStart = pos
      this.lineEnd = end
      if (!this.line()) return false
      if (this.eof) {
        if (hasNl && end + 1 !== n) {
          this.lineNo++
          this.lineStart = end + 1
          return this.fail('unexpected data after # EOF', end + 1)
        }
        return true
      }
      pos = end + 1
      this.lineNo++
    }
    if (this.om) {
      // Point at the end of input: an empty last line, or the end of an unterminated last line.
      if (n > 0 && s.charCodeAt(n - 1) !== 10) this.lineNo--
      else this.lineStart = n
      return this.fail('missing "# EOF" at end of OpenMetrics body', n)
    }
    return true
  }

  skipBlanks(p: number): number {
    const s = this.s
    const e = this.lineEnd
    while (p < e) {
      const c = s.charCodeAt(p)
      if (c !== SPACE && c !== TAB) break
      p++
    }
    return p
  }

  line(): boolean {
    let p = this.lineStart
    if (this.om) {
      if (p === this.lineEnd) return this.fail('empty line not allowed in OpenMetrics', p)
    } else {
      p = this.skipBlanks(p)
      if (p === this.lineEnd) return true
    }
    return this.s.charCodeAt(p) === HASH ? this.comment(p) : this.sample(p)
  }

  /** True if `word` is at `p` and followed by a blank or end of line. */
  wordAt(p: number, word: string): boolean {
    if (!this.s.startsWith(word, p)) return false
    const q = p + word.length
    if (q === this.lineEnd) return true
    const c = this.s.charCodeAt(q)
    return c === SPACE || (!this.om && c === TAB)
  }

  comment(p: number): boolean {
    const s = this.s
    const e = this.lineEnd
    if (this.om) {
      if (e - p === 5 && s.startsWith('# EOF', p)) {
        this.eof = true
        return true
      }
      if (s.charCodeAt(p + 1) !== SPACE) return this.fail('comments are not allowed in OpenMetrics', p)
      p += 2
    } else {
      p = this.skipBlanks(p + 1)
    }
    let kind: 'HELP' | 'TYPE' | 'UNIT'
    if (this.wordAt(p, 'HELP')) kind = 'HELP'
    else if (this.wordAt(p, 'TYPE')) kind = 'TYPE'
    else if (this.om && this.wordAt(p, 'UNIT')) kind = 'UNIT'
    else return this.om ? this.fail('comments are not allowed in OpenMetrics', p) : true
    p += 4
    p = this.om ? (p < e ? p + 1 : p) : this.skipBlanks(p)
    const nameStart = p
    if (p >= e || !isMetricNameStart(s.charCodeAt(p))) return this.fail(`expected metric name after ${kind}`, p)
    p++
    while (p < e && isMetricNameChar(s.charCodeAt(p))) p++
    const name = s.slice(nameStart, p)
    if (p < e) {
      const c = s.charCodeAt(p)
      if (c !== SPACE && (this.om || c !== TAB)) return this.fail('invalid character in metric name', p)
    }
    let st = this.byName.get(name)
    if (st === undefined) st = this.newFamily(name)
    else if (st.fam.samples.length > 0 && (this.om || kind === 'TYPE')) {
      return this.fail(`${kind} line for ${name} after its samples`, this.lineStart)
    }
    this.cur = st
    if (kind === 'HELP') {
      if (st.helped) return this.fail(`second HELP line for ${name}`, this.lineStart)
      st.helped = true
      if (p >= e) st.fam.help = ''
      else {
        p = this.om ? p + 1 : this.skipBlanks(p)
        let bs = p
        while (bs < e && s.charCodeAt(bs) !== BACKSLASH) bs++
        st.fam.help = bs === e ? s.slice(p, e) : this.om ? unescape(s, p, e) : unescapeTextHelp(s, p, e)
      }
      return true
    }
    if (p < e) p = this.om ? p + 1 : this.skipBlanks(p)
    let wordEnd = p
    while (wordEnd < e) {
      const c = s.charCodeAt(wordEnd)
      if (c === SPACE || c === TAB) break
      wordEnd++
    }
    const word = s.slice(p, wordEnd)
    const rest = this.om ? wordEnd : this.skipBlanks(wordEnd)
    if (rest < e) return this.fail(`unexpected text after ${kind}`, rest)
    if (kind === 'UNIT') {
      if (st.united) return this.fail(`second UNIT line for ${name}`, this.lineStart)
      st.united = true
      if (word === '') return true
      if (!name.endsWith('_' + word)) return this.fail(`unit "${word}" is not a suffix of metric name ${name}`, p)
      st.fam.unit = word
      return true
    }
    if (!(this.om ? OM_TYPES : TEXT_TYPES).has(word)) return this.fail(`invalid metric type "${word}"`, p)
    if (st.typed) return this.fail(`second TYPE line for ${name}`, this.lineStart)
    st.typed = true
    st.fam.type = word as MetricType
    for (const old of st.names) if (this.bySample.get(old) === st) this.bySample.delete(old)
    st.names = sampleNamesOf(name, st.fam.type, this.om ? 'openmetrics' : 'text')
    st.last = ''
    for (const sn of st.names) if (!this.bySample.has(sn)) this.bySample.set(sn, st)
    return true
  }

  newFamily(name: string): FamState {
    const fam: RawFamily = { name, type: this.om ? 'unknown' : 'untyped', help: undefined, unit: undefined, samples: [] }
    const st: FamState = { fam, names: [name], typed: false, helped: false, united: false, last: '' }
    this.families.push(fam)
    this.byName.set(name, st)
    if (!this.bySample.has(name)) this.bySample.set(name, st)
    return st
  }

  sample(p: number): boolean {
    const s = this.s
    const e = this.lineEnd
    const om = this.om
    const c0 = s.charCodeAt(p)
    if (!isMetricNameStart(c0)) {
      return this.fail(c0 === LBRACE || c0 === QUOTE ? 'quoted (UTF-8) metric names are not supported' : 'invalid metric name', p)
    }
    let q = p + 1
    while (q < e && isMetricNameChar(s.charCodeAt(q))) q++
    const prev = this.prevName
    const name = q - p === prev.length && s.startsWith(prev, p) ? prev : s.slice(p, q)
    this.prevName = name
    p = q
    let labels = ''
    let rec: Record<string, string> | undefined
    this.sawLe = false
    this.sawQuantile = false
    let c = p < e ? s.charCodeAt(p) : -1
    if (!om) {
      p = this.skipBlanks(p)
      const blanked = p !== q
      c = p < e ? s.charCodeAt(p) : -1
      if (c === LBRACE) {
        p = this.labels(p, false)
        if (p < 0) return false
        labels = this.lblText
        rec = this.lblRec
        p = this.skipBlanks(p)
      } else if (!blanked && p < e) return this.fail('invalid character in metric name', p)
    } else {
      if (c === LBRACE) {
        p = this.labels(p, false)
        if (p < 0) return false
        labels = this.lblText
        rec = this.lblRec
        c = p < e ? s.charCodeAt(p) : -1
      }
      if (c !== SPACE) return this.fail(p >= e ? 'expected value' : 'expected a space before the value', p)
      p++
    }
    if (p >= e) return this.fail('expected value', p)
    // Value token.
    let ve = p
    while (ve < e) {
      const ch = s.charCodeAt(ve)
      if (ch === SPACE || ch === TAB) break
      ve++
    }
    if (checkFloat(s, p, ve) === FLOAT_INVALID) return this.fail(`invalid value "${s.slice(p, ve)}"`, p)
    const value = s.slice(p, ve)
    p = ve
    let tsMs: number | undefined
    let exemplar: Exemplar | undefined
    if (p < e) {
      if (!om) {
        p = this.skipBlanks(p)
        if (p < e) {
          let te = p
          while (te < e) {
            const ch = s.charCodeAt(te)
            if (ch === SPACE || ch === TAB) break
            te++
          }
          tsMs = this.intToken(p, te)
          if (tsMs === undefined) return this.fail(`invalid timestamp "${s.slice(p, te)}"`, p)
          p = this.skipBlanks(te)
          if (p < e) return this.fail('unexpected text after timestamp', p)
        }
      } else {
        if (s.charCodeAt(p) !== SPACE) return this.fail('expected a space', p)
        p++
        if (s.charCodeAt(p) !== HASH) {
          let te = p
          while (te < e && s.charCodeAt(te) !== SPACE) te++
          const secs = scanFloat(s, p, te)
          if (secs === undefined || !Number.isFinite(secs)) return this.fail(`invalid timestamp "${s.slice(p, te)}"`, p)
          tsMs = Math.round(secs * 1000)
          if (Math.abs(tsMs) > MAX_TS_MS) return this.fail(`timestamp out of range "${s.slice(p, te)}"`, p)
          p = te
          if (p < e) {
            if (s.charCodeAt(p) !== SPACE || s.charCodeAt(p + 1) !== HASH) return this.fail('unexpected text after timestamp', p)
            p++
          }
        }
        if (p < e) {
          exemplar = this.exemplar(p)
          if (exemplar === undefined) return false
        }
      }
    }
    return this.attach(name, { name, labels, value, tsMs, exemplar, rec }, q)
  }

  /** Attach a sample to its family (current one first), creating an implicit family if needed. */
  attach(name: string, sample: RawSample, nameEnd: number): boolean {
    let st = this.cur
    if (st === undefined || (name !== st.last && !st.names.includes(name))) {
      st = this.bySample.get(name)
      if (st === undefined) {
        const other = this.byName.get(name)
        if (other !== undefined) {
          return this.fail(`sample ${name} does not belong to ${other.fam.type} family ${name}`, this.lineStart)
        }
        st = this.newFamily(name)
      }
      this.cur = st
    }
    st.last = name
    const fam = st.fam
    const t = fam.type
    if ((t === 'histogram' || t === 'gaugehistogram') && name === st.names[0] && !this.sawLe) {
      return this.fail(`histogram bucket ${name} without "le" label`, nameEnd)
    }
    if (t === 'summary' && name === fam.name && !this.sawQuantile) {
      return this.fail(`summary quantile ${name} without "quantile" label`, nameEnd)
    }
    fam.samples.push(sample)
    return true
  }

  /** `[+-]?[0-9]+` as an integer (text timestamps, milliseconds). */
  intToken(p: number, end: number): number | undefined {
    const s = this.s
    let i = p
    const c = s.charCodeAt(i)
    if (c === 43 || c === 45) i++
    if (i >= end) return undefined
    for (; i < end; i++) {
      const d = s.charCodeAt(i)
      if (d < 48 || d > 57) return undefined
    }
    const v = Number(s.slice(p, end))
    return Math.abs(v) > MAX_TS_MS ? undefined : v
  }

  /** OpenMetrics exemplar at `p` (`# {labels} value [timestamp]`), to end of line. */
  exemplar(p: number): Exemplar | undefined {
    const s = this.s
    const e = this.lineEnd
    if (!s.startsWith('# {', p)) {
      this.fail('expected exemplar "# {...}"', p)
      return undefined
    }
    p = this.labels(p + 2, true)
    if (p < 0) return undefined
    const labels = this.lblRec ?? {}
    if (p >= e || s.charCodeAt(p) !== SPACE) {
      this.fail('expected a space after exemplar labels', p)
      return undefined
    }
    p++
    let ve = p
    while (ve < e && s.charCodeAt(ve) !== SPACE) ve++
    const value = scanFloat(s, p, ve)
    if (value === undefined) {
      this.fail(`invalid exemplar value "${s.slice(p, ve)}"`, p)
      return undefined
    }
    const ex: Exemplar = { labels, value }
    if (ve < e) {
      p = ve + 1
      let te = p
      while (te < e && s.charCodeAt(te) !== SPACE) te++
      const ts = scanFloat(s, p, te)
      if (ts === undefined || !Number.isFinite(ts) || te !== e) {
        this.fail('invalid exemplar timestamp', p)
        return undefined
      }
      ex.timestamp = ts
    }
    return ex
  }

  /**
   * Label set starting at `{` (position `p`). Sets `lblText` (canonical escaped text), `lblRec`
   * (when records are wanted) and `sawLe`/`sawQuantile`. Returns the position after `}` or -1.
   */
  labels(p: number, forExemplar: boolean): number {
    const s = this.s
    const e = this.lineEnd
    const om = this.om
    const wantRec = this.records || forExemplar
    const rec: Record<string, string> | undefined = wantRec ? {} : undefined
    const names = this.lblNames
    let count = 0
    const start = p + 1
    let canonical = true
    p = start
    if (!om) {
      const q = this.skipBlanks(p)
      if (q !== p) canonical = false
      p = q
    }
    for (;;) {
      if (p >= e) return this.failNum('unterminated label set', p)
      let c = s.charCodeAt(p)
      if (c === RBRACE) break
      if (!isLabelNameStart(c)) {
        return this.failNum(c === QUOTE ? 'quoted (UTF-8) label names are not supported' : 'invalid label name', p)
      }
      const ns = p
      p++
      while (p < e && isLabelNameChar(s.charCodeAt(p))) p++
      const prevName = names[count]
      const fresh = prevName === undefined || p - ns !== prevName.length || !s.startsWith(prevName, ns)
      const name = fresh ? s.slice(ns, p) : prevName
      if (!om) {
        const q = this.skipBlanks(p)
        if (q !== p) canonical = false
        p = q
      }
      if (p >= e || s.charCodeAt(p) !== EQUALS) return this.failNum(`expected "=" after label name ${name}`, p)
      p++
      if (!om) {
        const q = this.skipBlanks(p)
        if (q !== p) canonical = false
        p = q
      }
      if (p >= e || s.charCodeAt(p) !== QUOTE) return this.failNum('expected \'"\' to start label value', p)
      p++
      const vs = p
      let escaped = false
      for (;;) {
        if (p >= e) return this.failNum('unterminated label value', p)
        c = s.charCodeAt(p)
        if (c === QUOTE) break
        if (c === BACKSLASH) {
          const d = p + 1 < e ? s.charCodeAt(p + 1) : -1
          if (d !== BACKSLASH && d !== QUOTE && d !== 110) return this.failNum('invalid escape sequence in label value', p)
          escaped = true
          p += 2
          continue
        }
        p++
      }
      const ve = p
      p++
      for (let k = 0; k < count; k++) {
        if (names[k] === name) return this.failNum(`duplicate label name ${name}`, ns)
      }
      names[count++] = name
      const isLe = name === 'le'
      if (forExemplar) {
        // Exemplar labels are free-form; they neither mark buckets nor count as series labels.
      } else if (isLe || name === 'quantile') {
        // Escapes never form a valid float, so an escaped value is invalid without unescaping it.
        if (escaped || checkFloat(s, vs, ve) === FLOAT_INVALID) {
          return this.failNum(`label ${name} must be a float, got "${s.slice(vs, ve)}"`, vs)
        }
        if (isLe) this.sawLe = true
        else this.sawQuantile = true
      }
      if (fresh && !forExemplar) this.labelNames.add(name)
      if (rec !== undefined) setLabel(rec, name, escaped ? unescape(s, vs, ve) : s.slice(vs, ve))
      if (!om) {
        const q = this.skipBlanks(p)
        if (q !== p) canonical = false
        p = q
      }
      if (p >= e) return this.failNum('unterminated label set', p)
      c = s.charCodeAt(p)
      if (c === COMMA) {
        p++
        if (!om) {
          const q = this.skipBlanks(p)
          if (q !== p) canonical = false
          p = q
        }
        if (p < e && s.charCodeAt(p) === RBRACE) {
          canonical = false // trailing comma
          break
        }
        continue
      }
      if (c !== RBRACE) return this.failNum('expected "," or "}" after label value', p)
      break
    }
    this.lblText = canonical ? s.slice(start, p) : canonicalise(s, start, p)
    if (forExemplar) names.length = 0 // exemplar names must not be taken for the next sample's
    this.lblRec = rec
    return p + 1
  }

  failNum(message: string, pos: number): number {
    this.fail(message, pos)
    return -1
  }
}

/**
 * Canonical text of a validated text-format label set `s[start,end)` (between the braces): blanks
 * outside values and a trailing comma removed. Rare (most clients write canonical label sets).
 */
function canonicalise(s: string, start: number, end: number): string {
  let out = ''
  let from = start
  let inValue = false
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i)
    if (inValue) {
      if (c === BACKSLASH) i++
      else if (c === QUOTE) inValue = false
    } else if (c === QUOTE) inValue = true
    else if (c === SPACE || c === TAB) {
      out += s.slice(from, i)
      from = i + 1
    }
  }
  out += s.slice(from, end)
  return out.endsWith(',') ? out.slice(0, -1) : out
}

function runParser(body: string, format: Format, records: boolean): Parser {
  const p = new Parser(body, format, records)
  try {
    p.run()
  } catch (err) {
    // Defensive: a bug must not take the scrape down; report it like bad input.
    p.error = { line: p.lineNo, column: 1, message: `internal parser error: ${String(err)}` }
  }
  return p
}

/**
 * Parse a body in the given format into public families. Never throws; bad input gives
 * `{ ok: false, error }` with the first error's position.
 */
export function parseExposition(body: string, format: Format): ParseResult {
  const p = runParser(body, format, true)
  if (p.error !== undefined) return { ok: false, error: p.error }
  const families = p.families.map((f) => {
    const samples: Sample[] = new Array(f.samples.length)
    for (let i = 0; i < samples.length; i++) samples[i] = publicSample(f.samples[i] as RawSample, undefined)
    return publicFamily(f.name, f.type, f.help, f.unit, samples)
  })
  return { ok: true, families }
}

/**
 * Parse a body for merging ({@link mergeBodies} in merge.ts). Cheaper than {@link parseExposition}:
 * labels stay as escaped text and values as tokens. Lets a caller parse each body as it arrives and
 * merge later.
 */
export function parseBody(body: string, format: Format): { ok: true; parsed: ParsedBody } | { ok: false; error: ParseError } {
  const p = runParser(body, format, false)
  if (p.error !== undefined) return { ok: false, error: p.error }
  return { ok: true, parsed: { format, families: p.families, labelNames: p.labelNames } }
}
