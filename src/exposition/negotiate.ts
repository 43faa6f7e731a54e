/**
 * @module exposition/negotiate
 *
 * Content negotiation with Prometheus. We parse the `Accept` header (media ranges, parameters,
 * q-values; RFC 9110 §12.5.1) rather than string-matching it, because every Prometheus version sends
 * a different string (test/exposition/negotiate.test.ts has them) and users can reorder
 * `scrape_protocols`. The header is read by Hono's Accept parser, as `Accept-Encoding` is by the
 * compression middleware: one parser for every such header in the product.
 */
import { parseAccept as parseAcceptHeader } from 'hono/utils/accept'
import type { BodyFormat, Escaping, Format } from './types.ts'

/** Exact Content-Type strings Prometheus expects for what we write. */
export const CONTENT_TYPES: Record<Format, string> = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
}

/** One media range of an Accept header. */
export interface MediaRange {
  type: string
  subtype: string
  /** Parameter names lower-cased, values unquoted; `q` is taken out. */
  params: Record<string, string>
  q: number
}

/** Lower-cased type and subtype and parameter names; undefined when `type/subtype` is malformed. */
function mediaRangeOf(range: { type: string; params: Record<string, string> }): Omit<MediaRange, 'q'> & { rawQ?: string } | undefined {
  const mt = range.type.toLowerCase()
  const slash = mt.indexOf('/')
  if (slash <= 0 || slash === mt.length - 1 || mt.indexOf('/', slash + 1) >= 0 || /[\s"]/.test(mt)) return undefined
  const params: Record<string, string> = {}
  let rawQ: string | undefined
  for (const key in range.params) {
    const name = key.toLowerCase()
    if (name === 'q') rawQ = range.params[key]
    else params[name] = range.params[key]!
  }
  return { type: mt.slice(0, slash), subtype: mt.slice(slash + 1), params, ...(rawQ === undefined ? {} : { rawQ }) }
}

/**
 * Parse an Accept header into media ranges, on Hono's parser (the one the compression middleware
 * reads `Accept-Encoding` with): names lower-cased, and stricter than it where a range is malformed
 * or its q is not a valid qvalue (RFC 9110 §12.4.2) — such a range is skipped, not given q=1.
 */
export function parseAccept(accept: string): MediaRange[] {
  const out: MediaRange[] = []
  for (const range of parseAcceptHeader(accept)) {
    const m = mediaRangeOf(range)
    if (m === undefined) continue
    if (m.rawQ !== undefined && !/^\s*(0(\.\d{0,3})?|1(\.0{0,3})?)\s*$/.test(m.rawQ)) continue
    out.push({ type: m.type, subtype: m.subtype, params: m.params, q: m.rawQ === undefined ? 1 : Number(m.rawQ) })
  }
  return out
}

interface Offer {
  format: Format
  type: string
  subtype: string
  /** `version` values whose content our output is valid for. */
  versions: readonly string[]
}

// Text 1.0.0 only adds quoted UTF-8 names; we write legacy names, valid in both. OpenMetrics 0.0.1
// and 1.0.0 are read by the same Prometheus parser.
// Text first: on a full tie (same q, same specificity, e.g. `*/*`) the first offer wins.
const OFFERS: readonly Offer[] = [
  { format: 'text', type: 'text', subtype: 'plain', versions: ['0.0.4', '1.0.0'] },
  { format: 'openmetrics', type: 'application', subtype: 'openmetrics-text', versions: ['1.0.0', '0.0.1'] },
]

/**
 * Specificity of `r` for `o` (-1: no match), per RFC 9110: exact with params > exact > type/* > * /*.
 * An escaping we do not write, or one on a version that has none (text 0.0.4), is no match.
 */
function specificity(r: MediaRange, o: Offer): number {
  if (r.type === '*') return r.subtype === '*' ? 0 : -1
  if (r.type !== o.type) return -1
  if (r.subtype === '*') return 1
  if (r.subtype !== o.subtype) return -1
  const escaping = r.params.escaping
  if (escaping !== undefined && (!ESCAPINGS.has(escaping) || (o.format === 'text' && r.params.version !== '1.0.0'))) return -1
  const v = r.params.version
  if (v === undefined) return 2
  return o.versions.includes(v) ? 3 : -1
}

/** What to answer a scraper in: the format, how names are written, and the exact Content-Type. */
export interface Negotiated {
  format: Format
  escaping: Escaping
  contentType: string
}

/** The escapings we write; a range asking for another (`dots`, `values`) is one we cannot satisfy. */
const ESCAPINGS: ReadonlySet<string> = new Set(['underscores', 'allow-utf-8'])

/**
 * Pick the format to answer in from Prometheus's `Accept` header: the highest q among formats we
 * write, where each format's q comes from its most specific matching range; ties go to the more
 * specific match, then to text. Missing, empty or unsatisfiable Accept → `text` (Prometheus always
 * accepts it, and a 406 would only turn into a failed scrape). The winning range's `escaping`
 * decides how UTF-8 names are written, and is echoed in the Content-Type with the version that
 * carries it (text 1.0.0; a range asking for an escaping we do not write does not match).
 */
export function negotiate(accept: string | null | undefined): Negotiated {
  const fallback: Negotiated = { format: 'text', escaping: 'underscores', contentType: CONTENT_TYPES.text }
  if (accept === null || accept === undefined || accept.trim() === '') return fallback
  const ranges = parseAccept(accept)
  let best = fallback
  let bestQ = 0
  let bestSpec = -1
  for (const o of OFFERS) {
    let spec = -1
    let q = 0
    let chosen: MediaRange | undefined
    for (const r of ranges) {
      const s = specificity(r, o)
      if (s > spec) {
        spec = s
        q = r.q
        chosen = r
      }
    }
    if (spec < 0 || q <= 0) continue
    if (q > bestQ || (q === bestQ && spec > bestSpec)) {
      best = answerFor(o.format, chosen!)
      bestQ = q
      bestSpec = spec
    }
  }
  return best
}

/** The answer in `format` for the range that chose it: its escaping, echoed with the version it needs. */
function answerFor(format: Format, range: MediaRange): Negotiated {
  const asked = range.params.escaping
  if (asked === undefined || !ESCAPINGS.has(asked)) return { format, escaping: 'underscores', contentType: CONTENT_TYPES[format] }
  const escaping = asked as Escaping
  const type = format === 'text' ? 'text/plain' : 'application/openmetrics-text'
  return { format, escaping, contentType: `${type}; version=1.0.0; charset=utf-8; escaping=${escaping}` }
}

/** The format of {@link negotiate}. */
export function negotiateFormat(accept: string | null | undefined): Format {
  return negotiate(accept).format
}

/** The media type of Prometheus's protobuf exposition, as client libraries send it. */
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited'

/** The one media type of a Content-Type header, parsed as an Accept range is; undefined when malformed. */
function mediaTypeOf(contentType: string): Omit<MediaRange, 'q'> | undefined {
  // A Content-Type is one media type with parameters: the grammar of one Accept range.
  const first = parseAcceptHeader(contentType)[0]
  return first === undefined ? undefined : mediaRangeOf(first)
}

/**
 * Classify a target's response Content-Type: OpenMetrics of any version → `openmetrics`; `text/plain`
 * with or without parameters, or a missing/empty header → `text`; delimited protobuf `MetricFamily`
 * messages → `protobuf`; anything else (JSON, HTML error pages, garbage) → `unsupported`.
 */
export function formatOfContentType(contentType: string | null | undefined): BodyFormat | 'unsupported' {
  if (contentType === null || contentType === undefined || contentType.trim() === '') return 'text'
  const m = mediaTypeOf(contentType)
  if (m === undefined) return 'unsupported'
  if (m.type === 'application' && m.subtype === 'openmetrics-text') return 'openmetrics'
  if (m.type === 'text' && m.subtype === 'plain') return 'text'
  if (m.type === 'application' && m.subtype === 'vnd.google.protobuf' && m.params.proto === 'io.prometheus.client.MetricFamily' && m.params.encoding === 'delimited') return 'protobuf'
  return 'unsupported'
}

/**
 * Whether a client sending `accept` reads a body of `contentType` as it is: some range with q > 0
 * names its type and subtype (or a wildcard), with the same `version`, `proto` and `encoding` where
 * the range names them. A missing Accept accepts anything.
 */
export function acceptsContentType(accept: string | null | undefined, contentType: string): boolean {
  if (accept === null || accept === undefined || accept.trim() === '') return true
  const m = mediaTypeOf(contentType)
  if (m === undefined) return false
  return parseAccept(accept).some((r) => {
    if (r.q <= 0) return false
    if (r.type === '*') return r.subtype === '*'
    if (r.type !== m.type || (r.subtype !== '*' && r.subtype !== m.subtype)) return false
    return ['version', 'proto', 'encoding'].every((p) => r.params[p] === undefined || r.params[p] === m.params[p])
  })
}

/** The `version` parameter of a Content-Type, if it has one. */
export function versionOfContentType(contentType: string): string | undefined {
  return mediaTypeOf(contentType)?.params.version
}

/**
 * Whether `accept` ranks Prometheus's protobuf exposition first: above zero and at least as high
 * as any text format we write (Prometheus with native histograms on sends it so).
 */
export function prefersProtobuf(accept: string): boolean {
  const ranges = parseAccept(accept)
  const protobuf = Math.max(0, ...ranges.filter((r) => r.type === 'application' && r.subtype === 'vnd.google.protobuf').map((r) => r.q))
  const text = Math.max(0, ...ranges.filter((r) => OFFERS.some((o) => specificity(r, o) > 0)).map((r) => r.q))
  return protobuf > 0 && protobuf >= text
}

/** Whether `accept` asks for Prometheus's protobuf exposition (with q > 0). */
export function acceptsProtobuf(accept: string | null | undefined): boolean {
  if (accept === null || accept === undefined) return false
  return parseAccept(accept).some((r) => r.q > 0 && r.type === 'application' && r.subtype === 'vnd.google.protobuf')
}
