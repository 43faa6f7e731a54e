/**
 * @module config/schema-inbound
 * Inbound authentication: `NONE` or `BASIC` per endpoint group, and the one user of the endpoints'
 * HTTP Basic authentication (`promregator.authentication.basic`).
 */
import { z } from 'zod'
import { env } from './schema-common.ts'
import { secret } from './secret-keys.ts'

/** Inbound authentication of one endpoint group: `NONE` or `BASIC` (case-insensitive), as in the original. */
export const INBOUND_AUTH = ['NONE', 'BASIC'] as const
export type InboundAuth = (typeof INBOUND_AUTH)[number]
export function inboundAuth(what: string) {
  return z
    .string()
    .regex(/^(none|basic)$/i, { message: 'expected NONE or BASIC' })
    .default('NONE')
    .transform((t) => t.toUpperCase() as InboundAuth)
    .describe(`Inbound authentication of ${what}: \`NONE\` or \`BASIC\` (user from \`promregator.authentication.basic\`).`)
}

export const authenticationSchema = z.object({
  basic: z
    .object({
      username: z.string().min(1).default('promregator').describe('User name that clients send with HTTP Basic authentication.'),
      password: secret(z.string().min(1))
        .optional()
        .describe(
          `Password of that user; when unset and some endpoint group uses BASIC, a random one is generated and printed once at start. Env ${env('promregator.authentication.basic.password')} overrides it.`,
        ),
    })
    .prefault({})
    .describe('The one user of inbound HTTP Basic authentication (as in the original).'),
})
