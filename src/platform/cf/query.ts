/**
 * @module platform/cf/query
 * Query strings the way the Cloud Controller reads them. A multi-value filter (`names`, `guids`,
 * `space_guids`, ...) is one parameter whose values are joined by literal commas: CC takes the
 * parameter as decoded once (Rack), splits it on `,\s*` and percent-decodes every value again
 * (cloud_controller_ng app/messages/base_message.rb `to_array!`), so each value is encoded twice
 * and a comma inside one (an org called "ACME, Inc.") arrives as `%252C`. `URLSearchParams`
 * would encode the separators too and turn `names=a,b` into one name "a,b". A plain string value
 * (`label_selector`, `per_page`) is encoded once. Plus the arithmetic that keeps long GUID lists
 * under the URL size proxies and the CC's nginx accept.
 */

/** A single value (encoded once) or the values of a multi-value filter (each encoded twice). */
export type QueryValue = string | readonly string[]

/** Builds `?a=x&names=v1,v2`: see the module comment for how each kind of value is encoded. */
export function queryString(query: Record<string, QueryValue>): string {
  const parts = Object.entries(query).map(([key, value]) => {
    const encoded = typeof value === 'string' ? encodeURIComponent(value) : value.map((v) => encodeURIComponent(encodeURIComponent(v))).join(',')
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
