/**
 * @module exposition/parse
 *
 * Parser for Prometheus text 0.0.4 and OpenMetrics 1.0.0: line dispatch and family assembly on top
 * of the token scanners in scan.ts. One pass over the body; errors are values with 1-based line and
 * column.
 *
 * Strictness follows what Prometheus (and promtool) would accept, so that whatever we re-emit after
 * parsing is valid for them: text allows blanks/tabs between tokens, blank lines, trailing commas in
 * label sets and arbitrary `#` comments; OpenMetrics requires single spaces, no blank lines, only
 * HELP/TYPE/UNIT/EOF comments and a final `# EOF`. Both reject invalid escapes in label values,
 * duplicate label names, a histogram bucket without `le` or a summary quantile without `quantile`,
 * and a second TYPE/HELP for a family. Interleaved families are tolerated (samples are attached to
 * their family wherever they appear), which makes the output contiguous.
 * Not supported: Prometheus 3's quoted UTF-8 names (`{"my.metric"}`), hex floats.
 *
 * Two outputs from the same pass: public families ({@link parseExposition}), and a line index for
 * the fused merge ({@link scanBody}: no object per sample, only positions into the body), the one
 * the product's scrape path uses.
 */
import { CHAR, checkFloat, FLOAT_INVALID, isMetricNameChar, isMetricNameStart, unescape, unescapeTextHelp } from './escape.ts'
import { OM_TYPES, sampleNamesOf, TEXT_TYPES, typeWordAt } from './families.ts'
import { familyStructure, finishPoint, pointLabelProblem, structureProblem, type FamilyStructure } from './structure-rules.ts'
import { mayHaveQuotedNames, withRespelledNames, type NameSpelling } from './utf8-names.ts'
import { carriesExemplars, countValueProblem } from './value-rules.ts'
import {
  publicFamily, publicSample, REC, REC_SLOW, type RawFamily, type RawSample, type ScannedBody,
} from './raw.ts'
import { Scanner } from './scan.ts'
import type { Exemplar, Format, MetricType, ParseError, ParseResult, Sample } from './types.ts'

const { SPACE, TAB, HASH, LBRACE, QUOTE } = CHAR

interface FamState {
  fam: RawFamily
  /** Index in `families`. */
  idx: number
  /** Sample names this family accepts. */
  names: string[]
  typed: boolean
  helped: boolean
  united: boolean
  /** Last sample name matched (usually the same string object as the next one). */
  last: string
  /** Samples attached so far, and the name of the first one. */
  count: number
  first: string | undefined
  /** A bucket with a negative `le` was seen (OpenMetrics then rules out `_sum` and allows a negative `_gsum`). */
  negativeBucket?: boolean
  /** OpenMetrics bodies: the structure rules' memory of this family (structure-rules.ts). */
  structure?: FamilyStructure
}

/** OpenMetrics types that take no `# UNIT`. */
const UNITLESS: ReadonlySet<string> = new Set(['info', 'stateset'])

/** Family types whose samples the OpenMetrics structure rules look at. */
const STRUCTURED = new Set(['histogram', 'gaugehistogram', 'summary', 'info', 'stateset'])

class Parser extends Scanner {
  eof = false
  readonly families: RawFamily[] = []
  readonly states: FamState[] = []
  readonly byName = new Map<string, FamState>()
  readonly bySample = new Map<string, FamState>()
  cur: FamState | undefined
  prevName = ''
  /** OpenMetrics structure rules on (structure-rules.ts). */
  structure = true
  /** OpenMetrics: the previous sample's series (name and labels) as positions in the body, and its timestamp. */
  prevSeriesStart = -1
  prevSeriesLen = -1
  prevTs: number | undefined
  /** Lines mode: REC ints per sample (see raw.ts `ScannedBody`), and the samples that need objects. */
  recs: Int32Array = new Int32Array(0)
  recLen = 0
  readonly slow: RawSample[] = []

  constructor(s: string, format: Format, records: boolean, lines: boolean) {
    super(s, format, records, lines)
    // About one sample per 60 characters in typical bodies; grown when needed.
    if (lines) this.recs = new Int32Array(REC * (64 + (s.length >> 6)))
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
        if (this.cur?.structure && !this.endStructure(this.cur)) return false
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
    const c0 = s.charCodeAt(p)
    if (c0 === 72 /* H */ && this.wordAt(p, 'HELP')) kind = 'HELP'
    else if (c0 === 84 /* T */ && this.wordAt(p, 'TYPE')) kind = 'TYPE'
    else if (c0 === 85 /* U */ && this.om && this.wordAt(p, 'UNIT')) kind = 'UNIT'
    else return this.om ? this.fail('comments are not allowed in OpenMetrics', p) : true
    p += 4
    p = this.om ? (p < e ? p + 1 : p) : this.skipBlanks(p)
    const nameStart = p
    // Text: `# HELP` or `# TYPE` with nothing after it names no family; it is a comment (as in prometheus/common).
    if (!this.om && p >= e) return true
    if (p >= e || !isMetricNameStart(s.charCodeAt(p))) return this.fail(`expected metric name after ${kind}`, p)
    // TYPE usually follows HELP of the same family: reuse its name instead of slicing and hashing.
    const cur = this.cur
    const curName = cur === undefined ? '' : cur.fam.name
    let name: string
    if (curName !== '' && s.startsWith(curName, nameStart) && !isMetricNameChar(s.charCodeAt(nameStart + curName.length))) {
      p = nameStart + curName.length
      name = curName
    } else {
      p++
      while (p < e && isMetricNameChar(s.charCodeAt(p))) p++
      name = s.slice(nameStart, p)
    }
    if (p < e) {
      const c = s.charCodeAt(p)
      if (c !== SPACE && (this.om || c !== TAB)) return this.fail('invalid character in metric name', p)
    }
    let st = name === curName ? cur : this.byName.get(name)
    // Text: a HELP without text for a family already seen adds nothing (prometheus/common reads such
    // lines as comments); only a first one declares the family, with empty help.
    if (!this.om && kind === 'HELP' && st !== undefined && this.skipBlanks(p) >= e) return true
    if (st === undefined) st = this.newFamily(name)
    else if (st.count > 0 && (this.om || kind === 'TYPE')) {
      return this.fail(`${kind} line for ${name} after its samples`, this.lineStart)
    }
    this.cur = st
    // OpenMetrics: HELP and UNIT lines have a space after the name, even before empty text.
    if (this.om && kind !== 'TYPE' && p >= e) return this.fail(`expected a space after the metric name of ${kind}`, p)
    if (kind === 'HELP') {
      if (st.helped) return this.fail(`second HELP line for ${name}`, this.lineStart)
      st.helped = true
      if (p >= e) st.fam.help = ''
      else {
        p = this.om ? p + 1 : this.skipBlanks(p)
        st.fam.help = this.backslashFrom(p) >= e ? s.slice(p, e) : this.om ? unescape(s, p, e) : unescapeTextHelp(s, p, e)
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
    const word = kind === 'TYPE' ? typeWordAt(s, p, wordEnd) : s.slice(p, wordEnd)
    const rest = this.om ? wordEnd : this.skipBlanks(wordEnd)
    if (rest < e) return this.fail(`unexpected text after ${kind}`, rest)
    if (kind === 'UNIT') {
      if (st.united) return this.fail(`second UNIT line for ${name}`, this.lineStart)
      st.united = true
      if (word === '') return true
      if (!name.endsWith('_' + word)) return this.fail(`unit "${word}" is not a suffix of metric name ${name}`, p)
      if (UNITLESS.has(st.fam.type)) return this.fail(`${st.fam.type} ${name} cannot have a unit`, p)
      st.fam.unit = word
      return true
    }
    // prometheus/common also reads `gauge_histogram` in text, as `gaugehistogram`.
    const type = !this.om && word === 'gauge_histogram' ? 'gaugehistogram' : word
    if (!(this.om ? OM_TYPES : TEXT_TYPES).has(type)) return this.fail(`invalid metric type "${word}"`, p)
    if (st.typed) return this.fail(`second TYPE line for ${name}`, this.lineStart)
    if (this.om && st.fam.unit !== undefined && UNITLESS.has(type)) return this.fail(`${type} ${name} cannot have a unit`, p)
    st.typed = true
    st.fam.type = type as MetricType
    for (const old of st.names) if (this.bySample.get(old) === st) this.bySample.delete(old)
    st.names = sampleNamesOf(name, st.fam.type, this.om ? 'openmetrics' : 'text')
    if (this.om) {
      // OpenMetrics: one family's sample names are no other family's name.
      for (const sn of st.names) {
        const other = sn === name ? undefined : this.byName.get(sn)
        if (other !== undefined && other !== st) return this.fail(`family ${name} clashes with family ${sn}`, this.lineStart)
      }
    }
    st.last = ''
    for (const sn of st.names) if (!this.bySample.has(sn)) this.bySample.set(sn, st)
    return true
  }

  newFamily(name: string): FamState {
    const fam: RawFamily = { name, type: this.om ? 'unknown' : 'untyped', help: undefined, unit: undefined, samples: [] }
    const st: FamState = {
      fam, idx: this.families.length, names: [name], typed: false, helped: false, united: false, last: '', count: 0, first: undefined,
    }
    this.families.push(fam)
    this.states.push(st)
    this.byName.set(name, st)
    if (!this.bySample.has(name)) this.bySample.set(name, st)
    return st
  }

  sample(p: number): boolean {
    const s = this.s
    const e = this.lineEnd
    const om = this.om
    const lineStart = p
    const c0 = s.charCodeAt(p)
    if (!isMetricNameStart(c0)) {
      return this.fail(c0 === LBRACE || c0 === QUOTE ? 'quoted (UTF-8) metric names are not supported' : 'invalid metric name', p)
    }
    // Consecutive samples often share a name (buckets, label variants): compare before scanning.
    const prev = this.prevName
    let q = p + prev.length
    let name = prev
    if (prev === '' || !s.startsWith(prev, p) || (q < e && isMetricNameChar(s.charCodeAt(q)))) {
      q = p + 1
      while (q < e && isMetricNameChar(s.charCodeAt(q))) q++
      name = s.slice(p, q)
      this.prevName = name
    }
    p = q
    let labels = ''
    let rec: Record<string, string> | undefined
    /** Position of `}` (-1 without labels), and whether blanks and label text are as we would write them. */
    let rbrace = -1
    let lbrace = -1
    let canonical = true
    /** Whether the sample's label set was written as we write it (saved before an exemplar's is parsed). */
    let labelsCanonical = true
    this.sawLe = false
    this.leNegative = false
    this.sawQuantile = false
    this.pointLabelStart = -1
    let c = p < e ? s.charCodeAt(p) : -1
    if (!om) {
      p = this.skipBlanks(p)
      const blanked = p !== q
      c = p < e ? s.charCodeAt(p) : -1
      if (c === LBRACE) {
        if (blanked) canonical = false
        lbrace = p
        p = this.labels(p, false)
        if (p < 0) return false
        labels = this.lblText
        rec = this.lblRec
        rbrace = p - 1
        // `{}` is no labels: copied as it is, ours would follow a comma with nothing before it.
        labelsCanonical = this.lblCanon
        if (!this.lblCanon || rbrace === lbrace + 1) canonical = false
        const afterLabels = p
        p = this.skipBlanks(p)
        if (p !== afterLabels + 1 || s.charCodeAt(afterLabels) !== SPACE) canonical = false
      } else if (!blanked && p < e) return this.fail('invalid character in metric name', p)
      else if (p !== q + 1 || s.charCodeAt(q) !== SPACE) canonical = false
    } else {
      if (c === LBRACE) {
        lbrace = p
        p = this.labels(p, false)
        if (p < 0) return false
        labels = this.lblText
        rec = this.lblRec
        rbrace = p - 1
        // A trailing comma or `{}` is rewritten, not copied (`{a="1",}` would become `{a="1",,…}`).
        labelsCanonical = this.lblCanon
        if (!this.lblCanon || rbrace === lbrace + 1) canonical = false
        c = p < e ? s.charCodeAt(p) : -1
      }
      if (c !== SPACE) return this.fail(p >= e ? 'expected value' : 'expected a space before the value', p)
      p++
    }
    if (p >= e) return this.fail('expected value', p)
    // Value token.
    const vs = p
    let ve = p
    while (ve < e) {
      const ch = s.charCodeAt(ve)
      if (ch === SPACE || ch === TAB) break
      ve++
    }
    if (checkFloat(s, p, ve) === FLOAT_INVALID) return this.fail(`invalid value "${s.slice(p, ve)}"`, p)
    p = ve
    let tsMs: number | undefined
    let exemplar: Exemplar | undefined
    if (p < e) {
      canonical = false
      if (!this.afterValue(p)) return false
      tsMs = this.tsMs
      exemplar = this.ex
    }
    const st = this.attach(name, q)
    if (st === undefined) return false
    if (exemplar !== undefined && !carriesExemplars(st.fam.type, name)) return this.fail(`metric name ${name} does not support exemplars`, vs)
    // In both formats: a body is merged into either, and OpenMetrics answers must keep these rules.
    const problem = countValueProblem(st, name, s, vs, ve, this.leNegative, om && this.structure)
    if (problem !== undefined) return this.fail(problem, vs)
    if (om && this.structure && !this.structureHolds(st, name, lineStart, q, lbrace, rbrace, vs, ve, tsMs)) return false
    if (!this.lines) {
      st.fam.samples.push({ name, labels, value: s.slice(vs, ve), tsMs, exemplar, rec })
      return true
    }
    // Lines mode: positions only, unless the line cannot be copied as it is (blanks, timestamp,
    // exemplar, non-canonical labels): then a sample object, written by the general writer.
    let r = this.recLen
    if (r + REC > this.recs.length) {
      const grown = new Int32Array(this.recs.length * 2)
      grown.set(this.recs)
      this.recs = grown
    }
    const recs = this.recs
    recs[r++] = st.idx
    if (canonical) {
      recs[r++] = lineStart
      recs[r++] = q
      recs[r++] = rbrace
      recs[r++] = vs
      recs[r++] = e
    } else {
      // The sample's own flag: an exemplar's label set, parsed since, has overwritten `lblCanon`.
      if (rbrace >= 0 && labelsCanonical) labels = s.slice(lbrace + 1, rbrace)
      recs[r++] = this.slow.length
      recs[r++] = 0
      recs[r++] = REC_SLOW
      recs[r++] = 0
      recs[r++] = 0
      this.slow.push({ name, labels, value: s.slice(vs, ve), tsMs, exemplar, rec: undefined })
    }
    this.recLen = r
    return true
  }

  /**
   * OpenMetrics: the structure rules for one sample (structure-rules.ts), and rising timestamps for
   * a series written twice in a row. False after reporting what is wrong.
   */
  structureHolds(st: FamState, name: string, lineStart: number, nameEnd: number, lbrace: number, rbrace: number, vs: number, ve: number, tsMs: number | undefined): boolean {
    const s = this.s
    const seriesLen = (rbrace >= 0 ? rbrace + 1 : nameEnd) - lineStart
    if (tsMs !== undefined || this.prevTs !== undefined) {
      const same = seriesLen === this.prevSeriesLen && s.startsWith(s.slice(this.prevSeriesStart, this.prevSeriesStart + seriesLen), lineStart)
      if (same && (tsMs === undefined || this.prevTs === undefined || tsMs < this.prevTs)) {
        return this.fail(`series ${name} written again needs a timestamp, not before the previous one`, vs)
      }
    }
    this.prevSeriesStart = lineStart
    this.prevSeriesLen = seriesLen
    this.prevTs = tsMs
    const type = st.fam.type
    if (!STRUCTURED.has(type)) return true
    const quantile = type === 'summary' && this.sawQuantile && name === st.fam.name ? s.slice(this.pointValueStart, this.pointValueEnd) : undefined
    const labelProblem = pointLabelProblem(type, st.fam.name, name, lbrace < 0 ? '' : s.slice(lbrace + 1, rbrace), quantile)
    if (labelProblem !== undefined) return this.fail(labelProblem, quantile === undefined ? nameEnd : this.pointValueStart)
    st.structure ??= familyStructure(type, st.fam.name)
    let key = ''
    if (lbrace >= 0) {
      const start = this.pointLabelStart
      key = start < 0 ? s.slice(lbrace + 1, rbrace) : `${s.slice(lbrace + 1, start)},${s.slice(this.pointLabelEnd, rbrace)}`
      key = key.replace(/^,+|,+$/g, '').replace(/,,+/g, ',')
    }
    const le = this.sawLe ? s.slice(this.pointValueStart, this.pointValueEnd) : undefined
    const problem = structureProblem(st.structure, name.slice(st.fam.name.length), key, le, s.slice(vs, ve))
    return problem === undefined || this.fail(problem, vs)
  }

  /** OpenMetrics: the end of a family's samples; false after reporting what its last point lacks. */
  endStructure(st: FamState): boolean {
    const problem = st.structure ? finishPoint(st.structure) : undefined
    return problem === undefined || this.fail(`${problem} (at the end of its samples)`, this.lineStart)
  }

  /**
   * The family a sample belongs to (current one first), creating an implicit family if needed;
   * counts the sample. `undefined` after reporting an error.
   */
  attach(name: string, nameEnd: number): FamState | undefined {
    let st = this.cur
    if (st === undefined || (name !== st.last && !st.names.includes(name))) {
      st = this.bySample.get(name)
      if (st === undefined) {
        const other = this.byName.get(name)
        if (other !== undefined) {
          this.fail(`sample ${name} does not belong to ${other.fam.type} family ${name}`, this.lineStart)
          return undefined
        }
        st = this.newFamily(name)
      }
      if (this.om && this.structure && this.cur !== undefined && st !== this.cur) {
        // OpenMetrics writes each family's samples together.
        if (this.cur.structure && !this.endStructure(this.cur)) return undefined
        if (st.count > 0) {
          this.fail(`samples of family ${st.fam.name} are not written together`, this.lineStart)
          return undefined
        }
      }
      this.cur = st
    }
    st.last = name
    const fam = st.fam
    const t = fam.type
    if ((t === 'histogram' || t === 'gaugehistogram') && name === st.names[0] && !this.sawLe) {
      this.fail(`histogram bucket ${name} without "le" label`, nameEnd)
      return undefined
    }
    if (t === 'summary' && name === fam.name && !this.sawQuantile) {
      this.fail(`summary quantile ${name} without "quantile" label`, nameEnd)
      return undefined
    }
    if (st.count++ === 0) st.first = name
    return st
  }
}

/** The body as the parser reads it: quoted (UTF-8) names respelled as legacy names (utf8-names.ts). */
function readable(body: string, spelling: NameSpelling): string {
  return mayHaveQuotedNames(body) ? withRespelledNames(body, spelling) : body
}

function runParser(body: string, format: Format, records: boolean, lines = false, structure = true): Parser {
  const p = new Parser(body, format, records, lines)
  p.structure = structure
  try {
    p.run()
  } catch (err) {
    // Defensive: a bug must not take the scrape down; report it like bad input.
    p.error = { line: p.lineNo, column: 1, message: `internal parser error: ${String(err)}` }
  }
  return p
}

/** How strictly {@link parseExposition} reads. */
export interface ParseOptions {
  /**
   * OpenMetrics: whether the structure rules hold (structure-rules.ts; default true). Off, an
   * OpenMetrics rendering of a text body (which has no such rules) is read as it was written.
   */
  structure?: boolean
  /** How quoted (UTF-8) names are read: escaped with underscores (default) or in the reversible spelling. */
  names?: NameSpelling
}

/**
 * Parse a body in the given format into public families. Never throws; bad input gives
 * `{ ok: false, error }` with the first error's position.
 */
export function parseExposition(body: string, format: Format, options: ParseOptions = {}): ParseResult {
  const p = runParser(readable(body, options.names ?? 'legacy'), format, true, false, options.structure ?? true)
  if (p.error !== undefined) return { ok: false, error: p.error }
  const families = p.families.map((f) => {
    const samples: Sample[] = new Array(f.samples.length)
    for (let i = 0; i < samples.length; i++) samples[i] = publicSample(f.samples[i] as RawSample, undefined)
    return publicFamily(f.name, f.type, f.help, f.unit, samples)
  })
  return { ok: true, families }
}

/**
 * Parse a body into a line index for the fused merge (`mergeBodies`): families (without samples),
 * and per sample its family and positions in the body, so that merging can copy each line with
 * slices instead of building an object per sample.
 */
export function scanBody(raw: string, format: Format, names: NameSpelling = 'legacy'): { ok: true; scanned: ScannedBody } | { ok: false; error: ParseError } {
  // Sample positions refer to the body as read: the merge copies lines from that one.
  const body = readable(raw, names)
  const p = runParser(body, format, false, true)
  if (p.error !== undefined) return { ok: false, error: p.error }
  const scanned: ScannedBody = {
    body,
    format,
    families: p.families,
    firstSamples: p.states.map((st) => st.first),
    records: p.recs,
    recordsLength: p.recLen,
    slow: p.slow,
    labelNames: p.labelNames,
  }
  return { ok: true, scanned }
}
