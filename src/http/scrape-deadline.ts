/**
 * @module http/scrape-deadline
 * Prometheus sends its scrape timeout with every scrape (`X-Prometheus-Scrape-Timeout-Seconds`);
 * an answer after it is only a failed scrape, whatever it holds. So a scrape endpoint bounds its
 * wait on the instances by that timeout, minus a margin for its own work (merging, writing,
 * sending): a tenth of the timeout, at least 100 ms. The configured `maxProcessingTime` still
 * applies when it is shorter.
 */
import type { ScrapeLimits } from '../scrape/types.ts'

/** The header Prometheus sends with its scrape timeout in seconds. */
export const SCRAPE_TIMEOUT_HEADER = 'x-prometheus-scrape-timeout-seconds'

/** The limits of the scrapes serving a request that arrived at `now` (`performance.now()`) with `header`. */
export function scrapeLimitsOf(header: string | undefined, now: number = performance.now()): ScrapeLimits {
  const seconds = header === undefined ? Number.NaN : Number(header.trim())
  if (!(seconds > 0) || !Number.isFinite(seconds)) return {}
  const timeoutMs = seconds * 1000
  return { deadline: now + timeoutMs - Math.max(100, timeoutMs / 10) }
}
