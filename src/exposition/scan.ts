/**
 * @module exposition/scan
 *
 * Token level of the parser: the cursor over one line, blanks, label sets, timestamps, exemplars and
 * error positions. Line dispatch and family assembly (which family a sample belongs to, HELP/TYPE
 * rules) live in parse.ts, which extends {@link Scanner}. One pass with `charCodeAt`, slicing once
 * per token; no regular expressions.
 */
import { CHAR, checkFloat, FLOAT_INVALID, isLabelNameChar, isLabelNameStart, MAX_TS_MS, scanFloat, unescape } from './escape.ts'
import { setLabel } from './raw.ts'
import type { Exemplar, Format, ParseError } from './types.ts'

/** OpenMetrics: the names and values of an exemplar's labels hold at most 128 UTF-8 characters together. */
const MAX_EXEMPLAR_LABEL_CHARS = 128

/** Characters (code points, not UTF-16 units) of an exemplar's label names and values together. */
function exemplarLabelLength(labels: Record<string, string>): number {
  let n = 0
  for (const name in labels) {
    for (const _ of name) n++
    for (const _ of labels[name]!) n++
  }
  return n
}

const { SPACE, TAB, HASH, RBRACE, COMMA, EQUALS, QUOTE, BACKSLASH } = CHAR

/** Cursor state and token scanners shared by every line kind. Positions are UTF-16 indexes into `s`. */
export class Scanner {
  readonly s: string
  readonly n: number
  readonly om: boolean
  /** Build unescaped label records for samples (public API) rather than keeping escaped text only. */
  readonly records: boolean
  /** Record sample positions for the fused merge instead of building label text (see parse.ts `scanBody`). */
  readonly lines: boolean
  lineNo = 1
  lineStart = 0
  lineEnd = 0
  error: ParseError | undefined
  nextBackslash = -1
  readonly labelNames = new Set<string>()
  // Results of labels(), kept in fields to avoid allocating a result object per sample.
  /** Canonical escaped label text; `''` in lines mode when the label set was already canonical. */
  lblText = ''
  /** Whether the label set was written canonically (no blanks, no trailing comma). */
  lblCanon = true
  lblRec: Record<string, string> | undefined
  sawLe = false
  /** The sample's `le` is below zero (a bucket of negative observations). */
  leNegative = false
  sawQuantile = false
  /** Where the sample's `le` or `quantile` label (`name="value"`) starts and ends in the body, and its value's bounds; -1 without one. */
  pointLabelStart = -1
  pointLabelEnd = -1
  pointValueStart = -1
  pointValueEnd = -1
  /** Results of afterValue(). */
  tsMs: number | undefined
  ex: Exemplar | undefined
  /** Label names of the previous sample by position: reused when equal, to skip a slice and a Set insert. */
  readonly lblNames: string[] = []
  /** How many of `lblNames` belong to the previous sample (the rest are left over from earlier ones). */
  prevLabelCount = 0

  constructor(s: string, format: Format, records: boolean, lines: boolean) {
    this.s = s
    this.n = s.length
    this.om = format === 'openmetrics'
    this.records = records
    this.lines = lines
  }

  fail(message: string, pos: number): false {
    this.error = { line: this.lineNo, column: pos - this.lineStart + 1, message }
    return false
  }

  failNum(message: string, pos: number): number {
    this.fail(message, pos)
    return -1
  }

  /** Position of the first backslash at or after `p` (`n` if none); cached, as most bodies have none. */
  backslashFrom(p: number): number {
    let b = this.nextBackslash
    if (b < p) {
      b = this.s.indexOf('\\', p)
      if (b < 0) b = this.n
      this.nextBackslash = b
    }
    return b
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

  /** True if `word` is at `p` and followed by a blank or end of line. */
  wordAt(p: number, word: string): boolean {
    if (!this.s.startsWith(word, p)) return false
    const q = p + word.length
    if (q === this.lineEnd) return true
    const c = this.s.charCodeAt(q)
    return c === SPACE || (!this.om && c === TAB)
  }

  /**
   * What follows a value at `p` (before the end of the line): a timestamp and, in OpenMetrics, an
   * exemplar. Sets `tsMs` and `ex`; false after reporting an error.
   */
  afterValue(p: number): boolean {
    const s = this.s
    const e = this.lineEnd
    const om = this.om
    this.tsMs = undefined
    this.ex = undefined
    if (!om) {
      p = this.skipBlanks(p)
      if (p < e) {
        let te = p
        while (te < e) {
          const ch = s.charCodeAt(te)
          if (ch === SPACE || ch === TAB) break
          te++
        }
        this.tsMs = this.intToken(p, te)
        if (this.tsMs === undefined) return this.fail(`invalid timestamp "${s.slice(p, te)}"`, p)
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
        // Any finite number of seconds is a timestamp to OpenMetrics (and Prometheus); one beyond
        // what integer milliseconds hold is written in OpenMetrics only (write.ts).
        this.tsMs = Math.round(secs * 1000)
        p = te
        if (p < e) {
          if (s.charCodeAt(p) !== SPACE || s.charCodeAt(p + 1) !== HASH) return this.fail('unexpected text after timestamp', p)
          p++
        }
      }
      if (p < e) {
        this.ex = this.exemplar(p)
        if (this.ex === undefined) return false
      }
    }
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
    if (exemplarLabelLength(labels) > MAX_EXEMPLAR_LABEL_CHARS) {
      this.fail(`exemplar labels longer than ${MAX_EXEMPLAR_LABEL_CHARS} characters`, p)
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
    let anyFresh = false
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
      // Most samples repeat the previous sample's label names: compare first, scan only if different.
      const prevName = names[count]
      let fresh = true
      if (prevName !== undefined && s.startsWith(prevName, ns)) {
        const after = ns + prevName.length
        if (after >= e || !isLabelNameChar(s.charCodeAt(after))) {
          fresh = false
          p = after
        }
      }
      if (fresh) {
        p++
        while (p < e && isLabelNameChar(s.charCodeAt(p))) p++
      }
      const name = fresh ? s.slice(ns, p) : (prevName as string)
      // The metric name is not a label: a sample carrying one would rename itself in Prometheus.
      if (fresh && !forExemplar && name === '__name__') return this.failNum('label name __name__ is reserved for the metric name', ns)
      if (!om && p < e && ((c = s.charCodeAt(p)) === SPACE || c === TAB)) {
        p = this.skipBlanks(p)
        canonical = false
      }
      if (p >= e || s.charCodeAt(p) !== EQUALS) return this.failNum(`expected "=" after label name ${name}`, p)
      p++
      if (!om && p < e && ((c = s.charCodeAt(p)) === SPACE || c === TAB)) {
        p = this.skipBlanks(p)
        canonical = false
      }
      if (p >= e || s.charCodeAt(p) !== QUOTE) return this.failNum('expected \'"\' to start label value', p)
      p++
      const vs = p
      let escaped = false
      // Without a backslash before it, the value ends at the next quote: let indexOf find it.
      const quote = s.indexOf('"', p)
      if (quote >= 0 && quote < e && this.backslashFrom(p) > quote) p = quote
      else for (;;) {
        if (p >= e) return this.failNum('unterminated label value', p)
        c = s.charCodeAt(p)
        if (c === QUOTE) break
        if (c === BACKSLASH) {
          const d = p + 1 < e ? s.charCodeAt(p + 1) : -1
          if (d !== BACKSLASH && d !== QUOTE && d !== 110) {
            // OpenMetrics reads a backslash before any other character as itself (the suite's
            // `escaping` cases); it is written back as `\\` (canonicalise), which text reads too.
            if (!om || d === -1) return this.failNum('invalid escape sequence in label value', p)
            escaped = true
            canonical = false
            p += 1
            continue
          }
          escaped = true
          p += 2
          continue
        }
        p++
      }
      const ve = p
      p++
      // Names equal position by position to the previous sample's (valid, so distinct) need no check.
      if (fresh || anyFresh || count >= this.prevLabelCount) {
        for (let k = 0; k < count; k++) {
          if (names[k] === name) return this.failNum(`duplicate label name ${name}`, ns)
        }
      }
      if (fresh) anyFresh = true
      names[count++] = name
      const isLe = name === 'le'
      if (forExemplar) {
        // Exemplar labels are free-form; they neither mark buckets nor count as series labels.
      } else if (isLe || name === 'quantile') {
        // Escapes never form a valid float, so an escaped value is invalid without unescaping it.
        if (escaped || checkFloat(s, vs, ve) === FLOAT_INVALID) {
          return this.failNum(`label ${name} must be a float, got "${s.slice(vs, ve)}"`, vs)
        }
        if (isLe) {
          this.sawLe = true
          this.leNegative = s.charCodeAt(vs) === 45 /* - */ && Number(s.slice(vs, ve)) < 0
        }
        else this.sawQuantile = true
        this.pointLabelStart = ns
        this.pointLabelEnd = ve + 1
        this.pointValueStart = vs
        this.pointValueEnd = ve
      }
      if (fresh && !forExemplar) this.labelNames.add(name)
      if (rec !== undefined) setLabel(rec, name, escaped ? unescape(s, vs, ve) : s.slice(vs, ve))
      if (!om && p < e && ((c = s.charCodeAt(p)) === SPACE || c === TAB)) {
        p = this.skipBlanks(p)
        canonical = false
      }
      if (p >= e) return this.failNum('unterminated label set', p)
      c = s.charCodeAt(p)
      if (c === COMMA) {
        p++
        if (!om && p < e && ((c = s.charCodeAt(p)) === SPACE || c === TAB)) {
          p = this.skipBlanks(p)
          canonical = false
        }
        if (p < e && s.charCodeAt(p) === RBRACE) {
          // Text allows a trailing comma (it is written without); OpenMetrics does not.
          if (om) return this.failNum('trailing comma in label set', p - 1)
          canonical = false
          break
        }
        continue
      }
      if (c !== RBRACE) return this.failNum('expected "," or "}" after label value', p)
      break
    }
    this.lblCanon = canonical
    // In lines mode a canonical label set is sliced later, and only if the sample needs it.
    this.lblText = canonical ? (this.lines && !forExemplar ? '' : s.slice(start, p)) : canonicalise(s, start, p)
    if (forExemplar) names.length = 0 // exemplar names must not be taken for the next sample's
    this.prevLabelCount = forExemplar ? 0 : count
    this.lblRec = rec
    return p + 1
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
      if (c === BACKSLASH) {
        const d = s.charCodeAt(i + 1)
        // A backslash before anything but `\\`, `"` or `n` stands for itself (OpenMetrics): escape it.
        if (d !== BACKSLASH && d !== QUOTE && d !== 110) {
          out += s.slice(from, i) + '\\\\'
          from = i + 1
        } else i++
      } else if (c === QUOTE) inValue = false
    } else if (c === QUOTE) inValue = true
    else if (c === SPACE || c === TAB) {
      out += s.slice(from, i)
      from = i + 1
    }
  }
  out += s.slice(from, end)
  return out.endsWith(',') ? out.slice(0, -1) : out
}
