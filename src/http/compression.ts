/**
 * @module http/compression
 * Which responses `hono/compress` may gzip: its default list of compressible types plus
 * OpenMetrics (`application/openmetrics-text`), which that list lacks but Prometheus scrapes.
 */
import { COMPRESSIBLE_CONTENT_TYPE_REGEX } from 'hono/compress'

/** True for content types worth compressing. */
export function compressible(contentType: string): boolean {
  return COMPRESSIBLE_CONTENT_TYPE_REGEX.test(contentType) || /^\s*application\/openmetrics-text(?:[;\s]|$)/i.test(contentType)
}
