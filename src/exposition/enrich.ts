/**
 * @module exposition/enrich
 *
 * Adding an instance's enrichment labels to its samples: the `exported_` renaming of target labels
 * that collide with ours (as Prometheus does with `honor_labels: false`), and, for the fused merge,
 * writing each sample line of a scanned body straight into its merged family's output. A line the
 * target wrote the way we would write it is copied as slices of the body around the pre-built
 * enrichment label text; no object is built per sample.
 */
import { escapeLabelValue, serialiseLabels, splitCanonicalLabels, unescape } from './escape.ts'
import { REC, REC_SLOW, setLabel, type LinesChunk, type MergedFamily, type OutFamily, type RawFamily, type RawSample, type ScannedBody } from './raw.ts'
import { labelJoints, sampleLine } from './write.ts'

/**
 * Prometheus's `honor_labels: false` on one label set: every target label is set, and a label of the
 * sample's own with that name and a non-empty value is kept as `exported_<name>` (prefixed again
 * while that is taken; shorter names first, as Prometheus sorts them). `values` is changed in place;
 * `encode` turns a target label's value into the form `values` holds. Returns the renamed labels.
 */
export function applyTargetLabels(values: Map<string, string>, target: Record<string, string>, encode: (value: string) => string = (value) => value): Map<string, string> {
  const conflicts: [string, string][] = []
  for (const name of Object.keys(target)) {
    const v = values.get(name)
    if (v !== undefined && v !== '') conflicts.push([name, v])
    values.set(name, encode(target[name] as string))
  }
  conflicts.sort((a, b) => a[0].length - b[0].length)
  const renamed = new Map<string, string>()
  for (const [name, v] of conflicts) {
    let n = 'exported_' + name
    while ((values.get(n) ?? '') !== '') n = 'exported_' + n
    values.set(n, v)
    renamed.set(n, v)
  }
  return renamed
}

/** Label renaming for one sample that carries enrichment label names (see the module comment). */
export function resolveCollisions(s: RawSample, enrich: Record<string, string>): RawSample {
  const parts = splitCanonicalLabels(s.labels)
  let hit = false
  for (let k = 0; k < parts.length; k += 2) if (Object.hasOwn(enrich, parts[k] as string)) hit = true
  if (!hit) return s
  const values = new Map<string, string>() // name -> escaped value, as Prometheus's label builder sees it
  for (let k = 0; k < parts.length; k += 2) values.set(parts[k] as string, parts[k + 1] as string)
  const renamed = applyTargetLabels(values, enrich, escapeLabelValue)
  // Rebuild: original labels in place (minus the enrichment names, which the chunk adds), with the
  // renamed ones appended.
  let text = ''
  const rec: Record<string, string> = {}
  const push = (n: string, v: string): void => {
    text += (text === '' ? '' : ',') + n + '="' + v + '"'
    setLabel(rec, n, v.indexOf('\\') < 0 ? v : unescape(v, 0, v.length))
  }
  for (let k = 0; k < parts.length; k += 2) {
    const n = parts[k] as string
    if (Object.hasOwn(enrich, n) || renamed.has(n)) continue
    push(n, parts[k + 1] as string)
  }
  for (const [n, v] of renamed) push(n, v)
  return { name: s.name, labels: text, value: s.value, tsMs: s.tsMs, exemplar: s.exemplar, rec: s.rec === undefined ? undefined : rec }
}

/** The samples of `fam` with collisions resolved; `check` false when the body uses none of our label names. */
export function chunkSamples(fam: RawFamily, enrich: Record<string, string>, check: boolean): readonly RawSample[] {
  if (!check) return fam.samples
  let out: RawSample[] | undefined
  for (let i = 0; i < fam.samples.length; i++) {
    const s = fam.samples[i] as RawSample
    if (s.labels === '') continue
    const r = resolveCollisions(s, enrich)
    if (r !== s) {
      out ??= fam.samples.slice()
      out[i] = r
    }
  }
  return out ?? fam.samples
}

/** The chunk of `fam` that receives written lines: its last one if that is a LinesChunk, else a new one. */
function linesOf(fam: OutFamily): string[] {
  const last = fam.chunks[fam.chunks.length - 1]
  if (last !== undefined && !('samples' in last)) return last.lines
  const chunk: LinesChunk = { lines: [] }
  fam.chunks.push(chunk)
  return chunk.lines
}

/**
 * Write every sample line of `sc` into the merged family its family maps to (`targets`, by family
 * index; `undefined` = dropped), with `labels` added, in `outFormat`'s conventions. Text output
 * leaves out `_created` samples, as the writer does for sample objects.
 */
export function emitScanned(
  sc: ScannedBody, targets: readonly (MergedFamily | undefined)[], labels: Record<string, string>, om: boolean,
): void {
  const s = sc.body
  const n = s.length
  const recs = sc.records
  const len = sc.recordsLength
  const extra = serialiseLabels(labels)
  const { tail, bare } = labelJoints(extra)
  const plain = extra === ''
  // Only bodies that use one of our label names need a per-sample look.
  let check = false
  for (const name in labels) if (sc.labelNames.has(name)) check = true
  const chunks: (string[] | undefined)[] = new Array(targets.length)
  // Body text not yet pushed: `s[from, to)` for chunk `into`. Consecutive lines of one family share
  // it (from a value to the next line's `}`), which halves the pieces and slices per line.
  let into: string[] | undefined
  let from = 0
  let to = 0
  for (let r = 0; r < len; r += REC) {
    const fi = recs[r] as number
    const target = targets[fi]
    if (target === undefined) continue
    const lines = chunks[fi] ?? (chunks[fi] = linesOf(target))
    const skip = target.textSkip
    const rbrace = recs[r + 3] as number
    if (rbrace === REC_SLOW) {
      const sample = sc.slow[recs[r + 1] as number] as RawSample
      if (sample.name === skip) continue
      if (into !== undefined) into.push(s.slice(from, to))
      into = undefined
      lines.push(sampleLine(check && sample.labels !== '' ? resolveCollisions(sample, labels) : sample, om, tail, bare))
      continue
    }
    const lineStart = recs[r + 1] as number
    const nameEnd = recs[r + 2] as number
    if (skip !== undefined && nameEnd - lineStart === skip.length && s.startsWith(skip, lineStart)) continue
    const valueStart = recs[r + 4] as number
    const lineEnd = recs[r + 5] as number
    const end = lineEnd < n ? lineEnd + 1 : lineEnd // with the newline when there is one
    if (check && rbrace >= 0) {
      if (into !== undefined) into.push(s.slice(from, to))
      into = undefined
      const sample: RawSample = {
        name: s.slice(lineStart, nameEnd), labels: s.slice(nameEnd + 1, rbrace), value: s.slice(valueStart, lineEnd),
        tsMs: undefined, exemplar: undefined, rec: undefined,
      }
      lines.push(sampleLine(resolveCollisions(sample, labels), om, tail, bare))
      continue
    }
    const contiguous = into === lines && to === lineStart
    if (!contiguous && into !== undefined) into.push(s.slice(from, to))
    if (plain) {
      if (!contiguous) from = lineStart
    } else {
      const cut = rbrace < 0 ? nameEnd : rbrace
      lines.push(contiguous ? s.slice(from, cut) : s.slice(lineStart, cut), rbrace < 0 ? bare : tail)
      from = valueStart
    }
    to = end
    into = lines
    if (end === lineEnd) {
      lines.push(s.slice(from, to), '\n')
      into = undefined
    }
  }
  if (into !== undefined) into.push(s.slice(from, to))
}
