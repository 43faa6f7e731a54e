/**
 * @module exposition/write
 *
 * Writer for text 0.0.4 and OpenMetrics 1.0.0. Accepts families named in either convention and
 * converts (see families.ts for the mapping and why). Output is valid for Prometheus's parsers and
 * `promtool check metrics`: one HELP/TYPE per family, samples of a family contiguous, OpenMetrics
 * terminated by `# EOF\n`. Names are not validated here: families come from the parser or from our
 * own code; label values and HELP are always escaped.
 */
import { escapeHelp, formatNumber, MAX_TS_MS, serialiseLabels } from './escape.ts'
import { omMetaOf, textMetaOf } from './families.ts'
import { rawOfFamily, type Chunk, type LinesChunk, type OutFamily, type RawSample } from './raw.ts'
import type { Exemplar, Format, MetricFamily } from './types.ts'

function firstSampleName(f: OutFamily): string | undefined {
  if (f.first !== undefined) return f.first
  for (const c of f.chunks) if ('samples' in c && c.samples.length > 0) return (c.samples[0] as RawSample).name
  return undefined
}

/** The lines of already written sample text whose sample name is `name` (rare paths only). */
function linesNamed(text: string, name: string): string {
  let out = ''
  let pos = 0
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos)
    const end = nl < 0 ? text.length : nl + 1
    const c = text.charCodeAt(pos + name.length)
    if (text.startsWith(name, pos) && (c === 123 /* { */ || c === 32)) out += text.slice(pos, end)
    pos = end
  }
  return out
}

function hasSampleNamed(f: OutFamily, name: string): boolean {
  return f.chunks.some((c) => 'samples' in c ? c.samples.some((s) => s.name === name) : linesNamed(c.lines.join(''), name) !== '')
}

/**
 * One sample line (with newline) in the general case: `tail` closes a non-empty label set with the
 * enrichment labels (`,extra} ` or `} `), `bare` stands for an empty one (`{extra} ` or ` `).
 */
export function sampleLine(s: RawSample, om: boolean, tail: string, bare: string): string {
  let line = s.labels === '' ? s.name + bare + s.value : s.name + '{' + s.labels + tail + s.value
  // Text timestamps are integer milliseconds: one beyond their range (OpenMetrics allows any) is left out.
  if (s.tsMs !== undefined && (om || Math.abs(s.tsMs) <= MAX_TS_MS)) line += ' ' + (om ? formatNumber(s.tsMs / 1000) : String(Math.round(s.tsMs)))
  if (om && s.exemplar !== undefined) line += exemplarText(s.exemplar)
  return line + '\n'
}

/** `tail` and `bare` of {@link sampleLine} for canonical enrichment label text `extra`. */
export function labelJoints(extra: string): { tail: string; bare: string } {
  return extra === '' ? { tail: '} ', bare: ' ' } : { tail: flat([',', extra, '} ']), bare: flat(['{', extra, '} ']) }
}

function exemplarText(ex: Exemplar): string {
  let t = ' # {' + serialiseLabels(ex.labels) + '} ' + formatNumber(ex.value)
  if (ex.timestamp !== undefined) t += ' ' + formatNumber(ex.timestamp)
  return t
}

/**
 * Output collector. Appending every line to one string builds a rope hundreds of thousands of nodes
 * deep; flattening it (on first read, e.g. when the response is encoded) cost more than parsing on
 * Bun. Appending to a part and starting a new one every ~64 KiB, then joining once, keeps it cheap
 * on both JSC and V8 (measured).
 */
class Sink {
  /** Strings, and whole piece arrays of LinesChunks (flattened natively at the end, not copied here). */
  parts: (string | string[])[] = []
  cur = ''
  add(line: string): void {
    this.cur += line
  }
  done(): string {
    this.parts.push(this.cur)
    return this.parts.flat().join('')
  }
}
const SINK_PART = 65536

/**
 * Concatenate into a flat string. Strings built with `+` are trees (ropes) in V8 and JSC; one reused
 * in every line of a chunk would be walked again for each line when the output is flattened
 * (measured on Bun: it dominated the write). `join` always produces a flat string.
 */
function flat(parts: string[]): string {
  return parts.join('')
}

/**
 * Append sample lines of `chunks` to `out`. `skip`: a sample name to leave out (`_created` in text);
 * `only`: write only samples with this name (gauge histogram split in text).
 */
function writeSamples(
  sink: Sink, chunks: readonly (Chunk | LinesChunk)[], om: boolean, skip: string | undefined, only: string | undefined,
): void {
  let out = sink.cur
  for (const chunk of chunks) {
    if (!('samples' in chunk)) {
      // Written by the fused merge, `_created` already left out for text; `only` is a rare path.
      // Pieces go straight into the final join: joining per chunk first would copy everything twice.
      sink.parts.push(out)
      out = ''
      if (only === undefined) sink.parts.push(chunk.lines)
      else sink.parts.push(linesNamed(chunk.lines.join(''), only))
      continue
    }
    const { tail, bare } = labelJoints(chunk.extra)
    for (const s of chunk.samples) {
      const name = s.name
      if (name === skip || (only !== undefined && name !== only)) continue
      // One concatenation expression per line: measured markedly faster on Bun (JSC) than building
      // the line first and appending it.
      if (s.tsMs === undefined && (s.exemplar === undefined || !om)) {
        if (s.labels === '') out += name + bare + s.value + '\n'
        else out += name + '{' + s.labels + tail + s.value + '\n'
        continue
      }
      out += sampleLine(s, om, tail, bare)
    }
    if (out.length > SINK_PART) {
      sink.parts.push(out)
      out = ''
    }
  }
  sink.cur = out
}

function writeText(fams: readonly OutFamily[]): string {
  const out = new Sink()
  const seen = new Set<string>()
  for (const f of fams) {
    const m = textMetaOf(f.name, f.type, firstSampleName(f))
    const help = f.help === undefined ? undefined : escapeHelp(f.help, 'text')
    if (m.split) {
      writeSplit(out, f, help, 'untyped', false, seen)
      continue
    }
    // A name already written can only come from pathological input (two families mapping to one
    // text name); dropping the second keeps the output parseable.
    if (seen.has(m.name)) continue
    seen.add(m.name)
    if (help !== undefined) out.add('# HELP ' + m.name + ' ' + help + '\n')
    out.add('# TYPE ' + m.name + ' ' + m.type + '\n')
    writeSamples(out, f.chunks, false, m.skip, undefined)
  }
  return out.done()
}

/**
 * A gauge histogram written as one family of `type` per sample name (`_bucket`, `_gcount`/`_count`,
 * `_gsum`/`_sum`), which keeps every series name: text has no gauge histogram, and OpenMetrics' has
 * no `_count`/`_sum`, which a text gauge histogram has.
 */
function writeSplit(out: Sink, f: OutFamily, help: string | undefined, type: string, om: boolean, seen: Set<string>): void {
  for (const suffix of GAUGE_HISTOGRAM_SUFFIXES) {
    const sn = f.name + suffix
    if (seen.has(sn) || !hasSampleNamed(f, sn)) continue
    seen.add(sn)
    if (help !== undefined) out.add('# HELP ' + sn + ' ' + help + '\n')
    out.add('# TYPE ' + sn + ' ' + type + '\n')
    writeSamples(out, f.chunks, om, undefined, sn)
  }
}

const GAUGE_HISTOGRAM_SUFFIXES = ['_bucket', '_gcount', '_gsum', '_count', '_sum']

/** Whether a gauge histogram came from text: OpenMetrics cannot declare its `_count`/`_sum`. */
function isTextGaugeHistogram(f: OutFamily): boolean {
  return f.type === 'gaugehistogram' && (hasSampleNamed(f, f.name + '_count') || hasSampleNamed(f, f.name + '_sum'))
}

function writeOm(fams: readonly OutFamily[]): string {
  const out = new Sink()
  const seen = new Set<string>()
  for (const f of fams) {
    if (isTextGaugeHistogram(f)) {
      writeSplit(out, f, f.help === undefined ? undefined : escapeHelp(f.help, 'openmetrics'), 'unknown', true, seen)
      continue
    }
    const first = firstSampleName(f)
    let m = omMetaOf(f.name, f.type, first)
    let only: string | undefined
    if (seen.has(m.name)) {
      // e.g. a text gauge `foo` and a text counter `foo_total` both want the OM name `foo`: write
      // the counter as `unknown foo_total`, which keeps its series name.
      if (m.type !== 'counter') continue
      const t = textMetaOf(f.name, f.type, first)
      if (seen.has(t.name)) continue
      m = { name: t.name, type: 'unknown' }
      only = t.name
    }
    seen.add(m.name)
    if (f.help !== undefined) out.add('# HELP ' + m.name + ' ' + escapeHelp(f.help, 'openmetrics') + '\n')
    out.add('# TYPE ' + m.name + ' ' + m.type + '\n')
    if (f.unit !== undefined && f.unit !== '' && m.name.endsWith('_' + f.unit)) out.add('# UNIT ' + m.name + ' ' + f.unit + '\n')
    writeSamples(out, f.chunks, true, undefined, only)
  }
  out.add('# EOF\n')
  return out.done()
}

/** Write internal families (one or more chunks each) in `format`. */
export function writeOutFamilies(fams: readonly OutFamily[], format: Format): string {
  return format === 'openmetrics' ? writeOm(fams) : writeText(fams)
}

/** Wrap a public family as a single-chunk family for the internal writer. */
export function outFamilyOf(f: MetricFamily): OutFamily {
  const r = rawOfFamily(f)
  return { name: r.name, type: r.type, help: r.help, unit: r.unit, chunks: [{ samples: r.samples, extra: '', extraRec: undefined }] }
}

/**
 * Write families in `format`. OpenMetrics output ends with `# EOF\n`; text output ends with a
 * newline (or is empty). Families may use either naming convention; see families.ts.
 */
export function writeExposition(families: MetricFamily[], format: Format): string {
  return writeOutFamilies(families.map(outFamilyOf), format)
}
