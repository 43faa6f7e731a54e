/**
 * @module config/advice
 * Warnings about a valid configuration that is risky to run as it is: what an operator should
 * hear once at start (and from `--check-config`), not problems that stop it.
 */
import { canonicalLabelSelector } from './label-selector.ts'
import type { Config } from './schema.ts'

/** Addresses that only this machine can reach. */
const LOCAL_ONLY = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i

/** The warnings for `config`, one line each. */
export function configAdvice(config: Config): string[] {
  const advice: string[] = []
  const { cache } = config.promregator
  if (cache.invalidate.auth === 'NONE' && !LOCAL_ONLY.test(config.server.address)) {
    advice.push(
      `promregator.cache.invalidate.auth is NONE and the server listens on ${config.server.address}: anyone who reaches it can make discovery refresh (at most once per ${cache.invalidate.minInterval} s), spending the platform user's API budget; on a public route set promregator.cache.invalidate.auth: BASIC`,
    )
  }
  config.promregator.targets.forEach((target, i) => {
    const sent = target.labelSelector === undefined ? undefined : canonicalLabelSelector(target.labelSelector)
    if (sent !== undefined && sent !== target.labelSelector) {
      advice.push(
        `promregator.targets[${i}].labelSelector '${target.labelSelector}' is sent as '${sent}': the Cloud Controller refuses spaces around operators, after commas and inside sets; write it so to silence this`,
      )
    }
  })
  return advice
}
