/**
 * @module exposition/negotiate
 *
 * Content negotiation with Prometheus. We parse the `Accept` header (media ranges, parameters,
 * q-values; RFC 9110 §12.5.1) rather than string-matching it, because every Prometheus version sends
 * a different string (reference §6.4) and users can reorder `scrape_protocols`.
 */
import type { Format } from './types.ts'

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

/** Split at `sep` outside double-quoted strings. */
function splitOutsideQuotes(s: string, sep: number): string[] {
  const out: string[] = []
  let from = 0
  let quoted = false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (quoted) {
      if (c === 92) i++ // backslash escapes the next char in a quoted-string
      else if (c === 34) quoted = false
    } else if (c === 34) quoted = true
    else if (c === sep) {
      out.push(s.slice(from, i))
      from = i + 1
    }
  }
  out.push(s.slice(from))
  return out
}

function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(.)/g, '$1')
  return v
}

/** Parse a media type with parameters (`type/subtype; a=b`); undefined when malformed. */
function parseMediaType(part: string): { type: string; subtype: string; params: Record<string, string> } | undefined {
  const pieces = splitOutsideQuotes(part, 59 /* ; */)
  const mt = (pieces[0] ?? '').trim().toLowerCase()
  const slash = mt.indexOf('/')
  if (slash <= 0 || slash === mt.length - 1 || mt.indexOf('/', slash + 1) >= 0 || /[\s"]/.test(mt)) return undefined
  const params: Record<string, string> = {}
  for (let i = 1; i < pieces.length; i++) {
    const p = (pieces[i] as string).trim()
    if (p === '') continue
    const eq = p.indexOf('=')
    if (eq <= 0) continue // tolerate junk parameters rather than dropping the range
    params[p.slice(0, eq).trim().toLowerCase()] = unquote(p.slice(eq + 1).trim())
  }
  return { type: mt.slice(0, slash), subtype: mt.slice(slash + 1), params }
}

/** Parse an Accept header into media ranges (malformed ranges are skipped). */
export function parseAccept(accept: string): MediaRange[] {
  const out: MediaRange[] = []
  for (const part of splitOutsideQuotes(accept, 44 /* , */)) {
    if (part.trim() === '') continue
    const m = parseMediaType(part)
    if (m === undefined) continue
    let q = 1
    const qs = m.params.q
    if (qs !== undefined) {
      delete m.params.q
      if (!/^\s*(0(\.\d{0,3})?|1(\.0{0,3})?)\s*$/.test(qs)) continue // invalid q: ignore the range
      q = Number(qs)
    }
    out.push({ type: m.type, subtype: m.subtype, params: m.params, q })
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

/** Specificity of `r` for `o` (-1: no match), per RFC 9110: exact with params > exact > type/* > * /*. */
function specificity(r: MediaRange, o: Offer): number {
  if (r.type === '*') return r.subtype === '*' ? 0 : -1
  if (r.type !== o.type) return -1
  if (r.subtype === '*') return 1
  if (r.subtype !== o.subtype) return -1
  const v = r.params.version
  if (v === undefined) return 2
  return o.versions.includes(v) ? 3 : -1
}

/**
 * Pick the format to answer in from Prometheus's `Accept` header: the highest q among formats we
 * write, where each format's q comes from its most specific matching range; ties go to the more
 * specific match, then to text. Missing, empty or unsatisfiable Accept → `text` (Prometheus always
 * accepts it, and a 406 would only turn into a failed scrape).
 */
export function negotiateFormat(accept: string | null | undefined): Format {
  if (accept === null || accept === undefined || accept.trim() === '') return 'text'
  const ranges = parseAccept(accept)
  let best: Format = 'text'
  let bestQ = 0
  let bestSpec = -1
  for (const o of OFFERS) {
    let spec = -1
    let q = 0
    for (const r of ranges) {
      const s = specificity(r, o)
      if (s > spec) {
        spec = s
        q = r.q
      }
    }
    if (spec < 0 || q <= 0) continue
    if (q > bestQ || (q === bestQ && spec > bestSpec)) {
      best = o.format
      bestQ = q
      bestSpec = spec
    }
  }
  return best
}

/**
 * Classify a target's response Content-Type: OpenMetrics of any version → `openmetrics`; `text/plain`
 * with or without parameters, or a missing/empty header → `text`; anything else (protobuf, JSON,
 * HTML error pages, garbage) → `unsupported`.
 */
export function formatOfContentType(contentType: string | null | undefined): Format | 'unsupported' {
  if (contentType === null || contentType === undefined || contentType.trim() === '') return 'text'
  const m = parseMediaType(contentType)
  if (m === undefined) return 'unsupported'
  if (m.type === 'application' && m.subtype === 'openmetrics-text') return 'openmetrics'
  if (m.type === 'text' && m.subtype === 'plain') return 'text'
  return 'unsupported'
}
