/**
 * @module exposition/merge
 *
 * Merging the families of many instances into one exposition for `/metrics`.
 *
 * Rules (issue #6; the Java original's weaknesses are in the inventory §3):
 * - Enrichment labels (`org_name`, `app_name`, ...) are ours and win. A target label with the same
 *   name is renamed `exported_<name>` (again prefixed while taken), exactly as Prometheus does with
 *   `honor_labels: false`; an empty target label is simply replaced, as Prometheus treats empty as absent.
 * - Families are identified by the name text 0.0.4 would give them plus a type class
 *   (families.ts `mergeIdentity`), so an OpenMetrics counter `foo` (`foo_total` samples) and a text
 *   counter `foo_total` are one family, as are OM `info foo` and text gauge `foo_info`.
 * - The first family seen fixes name, TYPE and UNIT; HELP is the first one defined.
 * - A family whose type class differs from the first one is dropped for that source and reported.
 *   `untyped` and `unknown` are the same class and are kept (the Java original dropped them).
 * - Families without samples are ignored: they carry no data, and their naming convention (needed
 *   to recognise counters across formats) cannot be told without samples.
 * - Output keeps a family's samples contiguous, source by source, with one HELP/TYPE per family.
 */
import { escapeLabelValue, serialiseLabels, splitCanonicalLabels, unescape } from './escape.ts'
import { mergeIdentity } from './families.ts'
import { parseBody } from './parse.ts'
import {
  publicFamily, publicSample, rawOfFamily, setLabel, type OutFamily, type ParsedBody, type RawFamily,
  type RawSample,
} from './raw.ts'
import type { Format, MetricFamily, MetricType, ParseError, Sample } from './types.ts'
import { writeOutFamilies } from './write.ts'

/** One instance: its parsed families and its enrichment labels. */
export interface MergeSource {
  families: MetricFamily[]
  labels: Record<string, string>
}

/** A family dropped for one source because its TYPE conflicts with the first one seen. */
export interface MergeConflict {
  /** Name of the family as first seen (the one in the output). */
  metric: string
  sourceIndex: number
  firstType: MetricType
  conflictingType: MetricType
}

/** Internal merge input: families in internal form plus the labels to add. */
interface RawSource {
  families: readonly RawFamily[]
  /** Label names used in the families, or undefined when unknown (then every sample is checked). */
  labelNames: ReadonlySet<string> | undefined
  labels: Record<string, string>
}

interface Merged extends OutFamily {
  typeClass: string
}

/** Label renaming for one sample that carries enrichment label names (see module comment). */
function resolveCollisions(s: RawSample, enrich: Record<string, string>): RawSample {
  const parts = splitCanonicalLabels(s.labels)
  let hit = false
  for (let k = 0; k < parts.length; k += 2) if (Object.hasOwn(enrich, parts[k] as string)) hit = true
  if (!hit) return s
  const values = new Map<string, string>() // name -> escaped value, as Prometheus's label builder sees it
  for (let k = 0; k < parts.length; k += 2) values.set(parts[k] as string, parts[k + 1] as string)
  const conflicts: [string, string][] = []
  for (const name of Object.keys(enrich)) {
    const v = values.get(name)
    if (v !== undefined && v !== '') conflicts.push([name, v])
    values.set(name, escapeLabelValue(enrich[name] as string))
  }
  // Prometheus resolves shorter names first (stable sort by length).
  conflicts.sort((a, b) => a[0].length - b[0].length)
  const renamed = new Map<string, string>()
  for (const [name, v] of conflicts) {
    let n = name
    for (;;) {
      n = 'exported_' + n
      const cur = values.get(n)
      if (cur === undefined || cur === '') break
    }
    values.set(n, v)
    renamed.set(n, v)
  }
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

function chunkSamples(fam: RawFamily, enrich: Record<string, string>, check: boolean): readonly RawSample[] {
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

/** Core merge over internal sources. */
function mergeRaw(sources: readonly RawSource[]): { families: Merged[]; conflicts: MergeConflict[] } {
  const byKey = new Map<string, Merged>()
  const families: Merged[] = []
  const conflicts: MergeConflict[] = []
  for (let i = 0; i < sources.length; i++) {
    const src = sources[i] as RawSource
    const enrichNames = Object.keys(src.labels)
    const extra = serialiseLabels(src.labels)
    const extraRec = enrichNames.length === 0 ? undefined : src.labels
    // Only bodies that use one of our label names need a per-sample look.
    const check = enrichNames.some((n) => src.labelNames === undefined || src.labelNames.has(n))
    for (const fam of src.families) {
      const first = fam.samples[0]
      if (first === undefined) continue
      const [key, typeClass] = mergeIdentity(fam.name, fam.type, first.name)
      let m = byKey.get(key)
      if (m === undefined) {
        m = { name: fam.name, type: fam.type, help: fam.help, unit: fam.unit, chunks: [], typeClass }
        byKey.set(key, m)
        families.push(m)
      } else if (m.typeClass !== typeClass) {
        conflicts.push({ metric: m.name, sourceIndex: i, firstType: m.type, conflictingType: fam.type })
        continue
      } else {
        if (m.help === undefined) m.help = fam.help
        if (m.unit === undefined) m.unit = fam.unit
      }
      m.chunks.push({ samples: chunkSamples(fam, src.labels, check), extra, extraRec })
    }
  }
  return { families, conflicts }
}

/**
 * Merge the families of several instances, adding each instance's labels to its samples (see the
 * module comment for the rules). Returns public families (each with all its samples, labels
 * materialised) and the conflicts, in source order. Never throws.
 */
export function mergeFamilies(sources: MergeSource[]): { families: MetricFamily[]; conflicts: MergeConflict[] } {
  const raw: RawSource[] = sources.map((s) => ({ families: s.families.map(rawOfFamily), labelNames: undefined, labels: s.labels }))
  const { families, conflicts } = mergeRaw(raw)
  const out = families.map((m) => {
    const samples: Sample[] = []
    for (const c of m.chunks) for (const s of c.samples) samples.push(publicSample(s, c.extraRec))
    return publicFamily(m.name, m.type, m.help, m.unit, samples)
  })
  return { families: out, conflicts }
}

/** Input of {@link mergeBodies}: a body (raw, or parsed earlier with `parseBody`), extra families, labels. */
export interface BodySource {
  /** The instance's body, or the result of `parseBody` on it. Omit for a source of families only. */
  body?: string | ParsedBody
  /** Format of a raw string body (ignored for a ParsedBody); defaults to `text`. */
  format?: Format
  /** More families for this source (e.g. our per-instance `promregator_up`), enriched the same way. */
  families?: MetricFamily[]
  /** Enrichment labels of this source; `{}` for none. */
  labels: Record<string, string>
}

/** Result of {@link mergeBodies}. */
export interface MergeBodiesResult {
  /** The merged exposition in the requested format (OpenMetrics ends with `# EOF\n`). */
  body: string
  conflicts: MergeConflict[]
  /** Sources whose body failed to parse; their bodies are left out, their `families` are kept. */
  failures: { sourceIndex: number; error: ParseError }[]
}

/**
 * Fused parse + merge + write for `/metrics` (and for label enrichment or format conversion of a
 * single body). Same rules as {@link mergeFamilies}, but labels stay escaped text end to end and
 * enrichment labels are appended per chunk, so no per-sample objects are built beyond parsing.
 * Never throws.
 */
export function mergeBodies(sources: BodySource[], outFormat: Format): MergeBodiesResult {
  const raw: RawSource[] = []
  const failures: MergeBodiesResult['failures'] = []
  for (let i = 0; i < sources.length; i++) {
    const src = sources[i] as BodySource
    const families: RawFamily[] = []
    let labelNames: Set<string> | undefined = new Set()
    if (src.body !== undefined) {
      let parsed: ParsedBody | undefined
      if (typeof src.body === 'string') {
        const r = parseBody(src.body, src.format ?? 'text')
        if (r.ok) parsed = r.parsed
        else failures.push({ sourceIndex: i, error: r.error })
      } else parsed = src.body
      if (parsed !== undefined) {
        for (const f of parsed.families) families.push(f)
        labelNames = parsed.labelNames as Set<string>
      }
    }
    if (src.families !== undefined && src.families.length > 0) {
      for (const f of src.families) families.push(rawOfFamily(f))
      labelNames = undefined // unknown for public families: check each sample
    }
    // Keep the source index aligned with `sources` for conflict reporting.
    raw.push({ families, labelNames, labels: src.labels })
  }
  const { families, conflicts } = mergeRaw(raw)
  return { body: writeOutFamilies(families, outFormat), conflicts, failures }
}
