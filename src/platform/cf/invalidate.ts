/**
 * @module platform/cf/invalidate
 * The query of `GET /cache/invalidate` as the original reads it: `org`, `space`, `application`,
 * `domain`, `route`, `process`, `resolver`, each a boolean (`1`/`true`). Unlike the original,
 * where no parameter invalidates nothing, a bare request invalidates every class: that is what
 * an operator calling it by hand expects.
 */
import { RESOURCE_CLASSES, type ResourceClass } from './types.ts'

/** The classes a request names, or undefined for "all". */
export function classesToInvalidate(query: Record<string, string | undefined>): ResourceClass[] | undefined {
  const named = RESOURCE_CLASSES.filter((cls) => query[cls] !== undefined)
  if (named.length === 0) return undefined
  return named.filter((cls) => /^(1|true|yes|)$/i.test(query[cls]!.trim()))
}
