/**
 * @module cf/query
 * Query strings the way the Cloud Controller reads them: a multi-value filter is one parameter
 * whose values are joined by literal commas (CC splits on commas before decoding, so a comma
 * inside a value must be `%2C`); `URLSearchParams` would encode the separators too and turn
 * `names=a,b` into one name "a,b". Plus the arithmetic that keeps long GUID lists under the
 * URL size proxies and the CC's nginx accept.
 */

/** A single value (encoded whole) or the values of a multi-value filter. */
export type QueryValue = string | readonly string[]

/** Builds `?a=x&names=v1,v2` with each value percent-encoded and literal commas between values. */
export function queryString(query: Record<string, QueryValue>): string {
  const parts = Object.entries(query).map(([key, value]) => {
    const encoded = typeof value === 'string' ? encodeURIComponent(value) : value.map(encodeURIComponent).join(',')
    return `${encodeURIComponent(key)}=${encoded}`
  })
  return parts.length === 0 ? '' : `?${parts.join('&')}`
}

/** Longest query string we send; 8 KB is the usual limit of proxies and of the CC's nginx. */
export const MAX_QUERY_LENGTH = 6000

/**
 * Splits `values` into chunks whose comma-joined, encoded form stays under `budget` characters,
 * so a filter of thousands of GUIDs becomes a few requests of bounded URL length.
 */
export function chunkByLength(values: readonly string[], budget = MAX_QUERY_LENGTH): string[][] {
  const chunks: string[][] = []
  let current: string[] = []
  let length = 0
  for (const value of values) {
    const size = encodeURIComponent(value).length + 1
    if (current.length > 0 && length + size > budget) {
      chunks.push(current)
      current = []
      length = 0
    }
    current.push(value)
    length += size
  }
  if (current.length > 0) chunks.push(current)
  return chunks
}
