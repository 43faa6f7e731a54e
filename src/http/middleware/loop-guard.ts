/**
 * @module http/middleware/loop-guard
 * Refuses requests that this very process sent (its id in `X-Promregator-Instance`): a target
 * whose route leads back here would otherwise make every scrape call itself until something
 * times out. Answered 508 Loop Detected, which the scraper reports as reason `loop`.
 */
import type { MiddlewareHandler } from 'hono'
import type { Logger } from '../../log.ts'

/** Middleware that answers 508 to requests carrying `instanceId`. */
export function loopGuard(instanceId: string, logger: Logger): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.header('x-promregator-instance') === instanceId) {
      logger.error('request carries this instance id: a scrape loop; refused', { path: c.req.path })
      return c.text('Loop detected: this request was sent by this Promregator instance.\n', 508)
    }
    await next()
  }
}
