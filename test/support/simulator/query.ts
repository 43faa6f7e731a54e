/**
 * @module simulator/query
 * Query-string handling as Cloud Controller does it: Rack decodes each parameter once, then
 * multi-value filters are split on `,\s*` and every part is percent-decoded AGAIN
 * (cloud_controller_ng app/messages/base_message.rb `to_array!`). So `a%2Cb` means two values, and
 * a value that really contains a comma must be double-encoded (`%252C`). Paging parameters are
 * validated with CC's messages; CcError is what every handler throws. */

/** An error Cloud Controller would answer with `{"errors":[{code,title,detail}]}`. */
export class CcError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly title: string,
    readonly detail: string,
  ) {
    super(`${title}: ${detail}`)
  }
}

/** Shorthand for the 400 CF-BadQueryParameter every invalid query gets. */
export function badQuery(detail: string): CcError {
  return new CcError(400, 10005, 'CF-BadQueryParameter', detail)
}

/** One query parameter: its raw (still encoded) text, the decoded text, and its comma-split values. */
export interface QueryParam {
  raw: string
  decoded: string
  values: string[]
}

/** Parsed query: parameters by name in their original order. */
export type ParsedQuery = Map<string, QueryParam>

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    throw badQuery(`The query parameter is invalid: malformed encoding '${text}'`)
  }
}

/** Second decoding pass of one value (Addressable::URI.unescape: no '+' rule, bad escapes kept). */
function unescapeValue(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** Parses `a=x,y&b=z` keeping raw text so paging links can repeat the parameters unchanged. */
export function parseQuery(rawQuery: string): ParsedQuery {
  const query: ParsedQuery = new Map()
  if (rawQuery === '') return query
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const rawKey = eq === -1 ? pair : pair.slice(0, eq)
    const raw = eq === -1 ? '' : pair.slice(eq + 1)
    const decoded = decodeComponent(raw)
    const values = decoded === '' ? [''] : decoded.split(/,\s*/).map(unescapeValue)
    query.set(decodeComponent(rawKey), { raw, decoded, values })
  }
  return query
}

/** Rejects parameters the endpoint does not know, with CC's wording. */
export function assertKnownParams(query: ParsedQuery, allowed: readonly string[]): void {
  const unknown = [...query.keys()].filter((key) => !allowed.includes(key))
  if (unknown.length === 0) return
  const list = (names: readonly string[]) => names.map((n) => `'${n}'`).join(', ')
  throw badQuery(`Unknown query parameter(s): ${list(unknown)}. Valid parameters are: ${list(allowed)}`)
}

/** Validated paging request. */
export interface PageRequest {
  page: number
  perPage: number
}

const PER_PAGE_DEFAULT = 50
const PER_PAGE_MAX = 5000

function positiveInteger(param: QueryParam | undefined, name: string): number | undefined {
  if (param === undefined) return undefined
  if (!/^\d+$/.test(param.decoded) || Number(param.decoded) < 1) throw badQuery(`${name} must be a positive integer`)
  return Number(param.decoded)
}

/** Reads `page` and `per_page` (1..5000, default 50), rejecting others as CC does. */
export function pageRequest(query: ParsedQuery): PageRequest {
  const page = positiveInteger(query.get('page'), 'page') ?? 1
  const perPageParam = query.get('per_page')
  if (perPageParam !== undefined && !/^-?\d+$/.test(perPageParam.decoded)) throw badQuery('per_page must be a positive integer')
  const perPage = perPageParam === undefined ? PER_PAGE_DEFAULT : Number(perPageParam.decoded)
  if (perPage < 1 || perPage > PER_PAGE_MAX) throw badQuery(`per_page must be between 1 and ${PER_PAGE_MAX}`)
  return { page, perPage }
}

/** Values of a multi-value filter as a Set, or undefined when the filter is absent. */
export function filterSet(query: ParsedQuery, name: string, caseInsensitive = false): Set<string> | undefined {
  const param = query.get(name)
  if (param === undefined) return undefined
  return new Set(caseInsensitive ? param.values.map((v) => v.toLowerCase()) : param.values)
}
