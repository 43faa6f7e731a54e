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
import { chunkSamples, emitScanned } from './enrich.ts'
import { serialiseLabels } from './escape.ts'
import { mergeIdentity, textMetaOf } from './families.ts'
import { scanBody } from './parse.ts'
import { quoteEncodedNames } from './utf8-names.ts'
import { rawOfFamily, type MergedFamily, type RawFamily, type ScannedBody } from './raw.ts'
import type { Escaping, Format, MergeConflict, MetricFamily, ParseError, Sample } from './types.ts'
import { writeOutFamilies } from './write.ts'

export type { MergeConflict } from './types.ts'

/** Internal merge input: families in internal form plus the labels to add. */
interface RawSource {
  families: readonly RawFamily[]
  /** Label names used in the families, or undefined when unknown (then every sample is checked). */
  labelNames: ReadonlySet<string> | undefined
  labels: Record<string, string>
}

type Merged = MergedFamily

/**
 * Merge state: merged families by identity, in first-seen order, and the conflicts so far. Sources
 * are added in order, as families in internal form ({@link addFamilies}) or as scanned bodies
 * ({@link addScanned}, the fused path).
 */
class Merger {
  /** Output format is OpenMetrics (text output leaves `_created` samples out). */
  readonly om: boolean
  readonly byKey = new Map<string, Merged>()
  readonly families: Merged[] = []
  readonly conflicts: MergeConflict[] = []

  constructor(om: boolean) {
    this.om = om
  }

  /** The merged family a source family joins, or `undefined` when its TYPE conflicts (recorded). */
  target(fam: RawFamily, first: string, sourceIndex: number): Merged | undefined {
    const [key, typeClass] = mergeIdentity(fam.name, fam.type, first)
    let m = this.byKey.get(key)
    if (m === undefined) {
      const textSkip = this.om ? undefined : textMetaOf(fam.name, fam.type, first).skip
      m = { name: fam.name, type: fam.type, help: fam.help, unit: fam.unit, chunks: [], first, typeClass, textSkip }
      this.byKey.set(key, m)
      this.families.push(m)
    } else if (m.typeClass !== typeClass) {
      this.conflicts.push({ metric: m.name, sourceIndex, firstType: m.type, conflictingType: fam.type })
      return undefined
    } else {
      if (m.help === undefined) m.help = fam.help
      if (m.unit === undefined) m.unit = fam.unit
    }
    return m
  }

  addFamilies(src: RawSource, sourceIndex: number): void {
    const enrichNames = Object.keys(src.labels)
    const extra = serialiseLabels(src.labels)
    const extraRec = enrichNames.length === 0 ? undefined : src.labels
    // Only bodies that use one of our label names need a per-sample look.
    const check = enrichNames.some((n) => src.labelNames === undefined || src.labelNames.has(n))
    for (const fam of src.families) {
      const first = fam.samples[0]
      if (first === undefined) continue
      const m = this.target(fam, first.name, sourceIndex)
      if (m !== undefined) m.chunks.push({ samples: chunkSamples(fam, src.labels, check), extra, extraRec })
    }
  }

  addScanned(sc: ScannedBody, labels: Record<string, string>, sourceIndex: number): void {
    const targets: (Merged | undefined)[] = new Array(sc.families.length)
    for (let k = 0; k < sc.families.length; k++) {
      const first = sc.firstSamples[k]
      // Families without samples are ignored (module comment).
      targets[k] = first === undefined ? undefined : this.target(sc.families[k] as RawFamily, first, sourceIndex)
    }
    emitScanned(sc, targets, labels, this.om)
  }
}

/** Input of {@link mergeBodies}: a body (raw, or indexed earlier with `scanBody`), extra families, labels. */
export interface BodySource {
  /**
   * The instance's body, or the result of `scanBody` on it (lets a caller learn which bodies parse
   * before merging). Omit for a source of families only.
   */
  body?: string | ScannedBody
  /** Format of a raw string body (ignored for a scanned one); defaults to `text`. */
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
 * single body), by the rules of the module comment. A raw body is only indexed (parse.ts
 * `scanBody`) and each sample line is written straight into its merged family with the
 * enrichment labels spliced in (enrich.ts), so no object is built per sample; families given as
 * objects (`families`: our `promregator_up`, own metrics) join the same way. Never throws.
 */
export function mergeBodies(sources: BodySource[], outFormat: Format, escaping: Escaping = 'underscores'): MergeBodiesResult {
  // UTF-8 names are read in a reversible spelling when the answer writes them quoted (utf8-names.ts);
  // a body given scanned must have been scanned so (`scanBody(body, format, 'encoded')`).
  const names = escaping === 'allow-utf-8' ? 'encoded' : 'legacy'
  const om = outFormat === 'openmetrics'
  const merger = new Merger(om)
  const failures: MergeBodiesResult['failures'] = []
  for (let i = 0; i < sources.length; i++) {
    const src = sources[i] as BodySource
    if (typeof src.body === 'string') {
      const r = scanBody(src.body, src.format ?? 'text', names)
      if (r.ok) merger.addScanned(r.scanned, src.labels, i)
      else failures.push({ sourceIndex: i, error: r.error })
    } else if (src.body !== undefined) {
      merger.addScanned(src.body, src.labels, i)
    }
    if (src.families !== undefined && src.families.length > 0) {
      // Label names of public families are unknown: every sample is checked for collisions.
      merger.addFamilies({ families: src.families.map(rawOfFamily), labelNames: undefined, labels: src.labels }, i)
    }
  }
  const body = writeOutFamilies(merger.families, outFormat)
  return { body: names === 'encoded' ? quoteEncodedNames(body) : body, conflicts: merger.conflicts, failures }
}
