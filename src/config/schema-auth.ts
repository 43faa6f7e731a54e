/**
 * @module config/schema-auth
 * Outbound authentication: how scrapes authenticate at the targets (`authenticator`,
 * `targetAuthenticators`). Inbound authentication is in schema-inbound.ts.
 */
import { z } from 'zod'
import { ENV_NAME_RULE } from './env-names.ts'
import { secret } from './secret-keys.ts'
import { authenticatorEnv } from './schema-common.ts'

const basicCredentials = z
  .object({
    username: z.string().describe('User name sent with HTTP Basic authentication.'),
    password: secret(z.string()).describe(`Password sent with HTTP Basic authentication. ${authenticatorEnv('basic.password')}`),
  })
  .describe('Credentials for `type: basic`.')

const oauth2Basic = z
  .object({
    tokenServiceURL: z.string().url().describe('Token endpoint of the OAuth2 server (XSUAA/UAA).'),
    client_id: z.string().describe('OAuth2 client id.'),
    client_secret: secret(z.string()).describe(`OAuth2 client secret. ${authenticatorEnv('oauth2xsuaaBasic.client_secret')}`),
    scopes: z.string().optional().describe('Scopes to request, separated by commas or blanks.'),
  })
  .describe('Client-credentials grant with the client secret (`type: OAuth2XSUAABasic`).')

const oauth2Certificate = z
  .object({
    tokenServiceCertURL: z.string().url().describe('Token endpoint that accepts mTLS client authentication.'),
    client_id: z.string().describe('OAuth2 client id.'),
    client_certificates: z.string().describe('Client certificate chain (PEM).'),
    client_key: secret(z.string()).describe(`Private key of the client certificate (PEM). ${authenticatorEnv('oauth2xsuaaCertificate.client_key')}`),
    scopes: z.string().optional().describe('Scopes to request, separated by commas or blanks.'),
  })
  .describe('Client-credentials grant with a client certificate (`type: OAuth2XSUAACertificate`).')

/** Authenticator kinds, matched case-insensitively as the original does. */
export const AUTHENTICATOR_TYPES = ['none', 'basic', 'oauth2xsuaabasic', 'oauth2xsuaacertificate'] as const
export type AuthenticatorType = (typeof AUTHENTICATOR_TYPES)[number]

const authenticatorFields = {
  type: z
    .string()
    .transform((t) => t.toLowerCase())
    .pipe(z.enum(AUTHENTICATOR_TYPES, { message: 'expected one of none, basic, OAuth2XSUAABasic, OAuth2XSUAACertificate' }))
    .describe('`none`, `basic`, `OAuth2XSUAABasic` or `OAuth2XSUAACertificate` (case-insensitive).'),
  basic: basicCredentials.optional(),
  oauth2xsuaaBasic: oauth2Basic.optional(),
  oauth2xsuaaCertificate: oauth2Certificate.optional(),
}

function requireSettingsOfType(auth: { type: AuthenticatorType; basic?: unknown; oauth2xsuaaBasic?: unknown; oauth2xsuaaCertificate?: unknown }, ctx: z.RefinementCtx) {
  const needs: Partial<Record<AuthenticatorType, 'basic' | 'oauth2xsuaaBasic' | 'oauth2xsuaaCertificate'>> = {
    basic: 'basic',
    oauth2xsuaabasic: 'oauth2xsuaaBasic',
    oauth2xsuaacertificate: 'oauth2xsuaaCertificate',
  }
  const key = needs[auth.type]
  if (key && auth[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `required when type is ${auth.type}` })
}

export const authenticatorSchema = z
  .object(authenticatorFields)
  .superRefine(requireSettingsOfType)
  .describe('How outbound scrape requests authenticate at the target.')
export type AuthenticatorConfig = z.infer<typeof authenticatorSchema>

export const targetAuthenticatorSchema = z
  .object({
    id: z
      .string()
      .min(1)
      .describe(`Name that targets refer to with \`authenticatorId\`. In the variables of its secrets (\`PROMREGATOR_TARGETAUTHENTICATORS_..._<ID>\`) ID is this id ${ENV_NAME_RULE}.`),
    ...authenticatorFields,
  })
  .superRefine(requireSettingsOfType)
export type TargetAuthenticatorConfig = z.infer<typeof targetAuthenticatorSchema>
