/**
 * @module simulator/pagination
 * Cloud Controller's pagination object: `total_results`, `total_pages` and absolute `first`,
 * `last`, `next`, `previous` hrefs that repeat every original query parameter, with
 * `next`/`previous` null at the ends.
 */
import type { PageRequest, ParsedQuery } from './query.ts'

export interface Link {
  href: string
}

export interface PaginationObject {
  total_results: number
  total_pages: number
  first: Link
  last: Link
  next: Link | null
  previous: Link | null
}

/** One page of items plus its pagination object. */
export interface Page<T> {
  pagination: PaginationObject
  items: T[]
}

/**
 * Cuts one page out of `items`. `perPageCap` (the simulator's maxPerPage option) lowers the
 * effective page size; the links then carry the effective size so following them is consistent.
 */
export function paginate<T>(items: T[], request: PageRequest, endpointUrl: string, query: ParsedQuery, perPageCap?: number): Page<T> {
  const perPage = perPageCap === undefined ? request.perPage : Math.min(request.perPage, perPageCap)
  const totalPages = Math.max(1, Math.ceil(items.length / perPage))
  const kept = [...query.entries()]
    .filter(([key]) => key !== 'page' && key !== 'per_page')
    .map(([key, param]) => `${encodeURIComponent(key)}=${param.raw}`)
  const href = (page: number): Link => ({
    href: `${endpointUrl}?${[...kept, `page=${page}`, `per_page=${perPage}`].join('&')}`,
  })
  const start = (request.page - 1) * perPage
  return {
    pagination: {
      total_results: items.length,
      total_pages: totalPages,
      first: href(1),
      last: href(totalPages),
      next: request.page < totalPages ? href(request.page + 1) : null,
      // CC does not clamp: page 9 of 3 links back to page 8
      previous: request.page > 1 ? href(request.page - 1) : null,
    },
    items: items.slice(start, start + perPage),
  }
}
