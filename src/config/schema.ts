/**
 * @module config/schema
 * The configuration schema: the one source of truth for every key, its type, its default and
 * its meaning (the `.describe()` texts feed docs/configuration.md). Keys follow the Java
 * Promregator so existing YAML files keep working.
 */
import { z } from 'zod'

const port = z.number().int().min(1).max(65535)
const millis = (fallback: number, what: string) =>
  z.number().int().positive().default(fallback).describe(`${what} (milliseconds).`)

/** A regular expression given as a string; it must compile. */
const regex = z.string().refine((source) => compiles(source), { message: 'invalid regular expression' })

function compiles(source: string): boolean {
  try {
    new RegExp(source)
    return true
  } catch {
    return false
  }
}

const basicCredentials = z
  .object({
    username: z.string().describe('User name sent with HTTP Basic authentication.'),
    password: z.string().describe('Password sent with HTTP Basic authentication.'),
  })
  .describe('Credentials for `type: basic`.')

const oauth2Basic = z
  .object({
    tokenServiceURL: z.string().url().describe('Token endpoint of the OAuth2 server (XSUAA/UAA).'),
    client_id: z.string().describe('OAuth2 client id.'),
    client_secret: z.string().describe('OAuth2 client secret.'),
    scopes: z.string().optional().describe('Scopes to request, separated by commas or blanks.'),
  })
  .describe('Client-credentials grant with the client secret (`type: OAuth2XSUAABasic`).')

const oauth2Certificate = z
  .object({
    tokenServiceCertURL: z.string().url().describe('Token endpoint that accepts mTLS client authentication.'),
    client_id: z.string().describe('OAuth2 client id.'),
    client_certificates: z.string().describe('Client certificate chain (PEM).'),
    client_key: z.string().describe('Private key of the client certificate (PEM).'),
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
  .object({ id: z.string().min(1).describe('Name that targets refer to with `authenticatorId`.'), ...authenticatorFields })
  .superRefine(requireSettingsOfType)
export type TargetAuthenticatorConfig = z.infer<typeof targetAuthenticatorSchema>

export const targetSchema = z.object({
  orgName: z.string().optional().describe('Organization name (case-insensitive). Empty with no `orgRegex`: all orgs.'),
  orgRegex: regex.optional().describe('Regular expression that must match the whole organization name (case-insensitive).'),
  spaceName: z.string().optional().describe('Space name (case-insensitive).'),
  spaceRegex: regex.optional().describe('Regular expression that must match the whole space name (case-insensitive).'),
  applicationName: z.string().optional().describe('Application name (case-insensitive).'),
  applicationRegex: regex.optional().describe('Regular expression that must match the whole application name (case-insensitive).'),
  path: z.string().startsWith('/').default('/metrics').describe('Path of the metrics endpoint of the app.'),
  protocol: z.enum(['http', 'https']).default('https').describe('Scheme used for external routes.'),
  authenticatorId: z.string().optional().describe('Id of an entry in `promregator.targetAuthenticators`; default: the global authenticator.'),
  preferredRouteRegex: z.array(regex).default([]).describe('Route URLs (host[/path]) to prefer, in order; the first full match wins, else the first route.'),
  internalRoutePort: port.optional().describe('Port for internal routes; default `promregator.defaultInternalRoutePort`.'),
})
export type TargetConfig = z.infer<typeof targetSchema>

const proxySchema = z
  .object({
    host: z.string().min(1).describe('Host of the HTTP forward proxy.'),
    port: port.describe('Port of the HTTP forward proxy.'),
  })
  .describe('HTTP forward proxy for outbound requests.')

export const cfSchema = z.object({
  api_host: z
    .string()
    .min(1)
    .describe('Cloud Controller API: a bare hostname (https implied) or a full URL with scheme and port.'),
  username: z.string().optional().describe('User for the UAA password grant.'),
  password: z.string().optional().describe('Password for the UAA password grant (env `CF_PASSWORD` overrides).'),
  skipSslValidation: z.boolean().default(false).describe('Do not verify TLS certificates of the Cloud Controller and UAA.'),
})
export type CfConfig = z.infer<typeof cfSchema>

export const scrapingSchema = z.object({
  proxy: proxySchema.optional(),
  connectionTimeout: millis(5000, 'Time allowed until the target answers with headers'),
  socketReadTimeout: millis(5000, 'Longest pause allowed between two chunks of the response body'),
  maxProcessingTime: millis(5000, 'Upper bound for a whole scrape of one instance'),
})

export const discoverySchema = z.object({
  hostname: z.string().optional().describe('Host written into `/discovery` targets; default: the Host of the request.'),
  port: port.optional().describe('Port written into `/discovery` targets; default: the port of the request.'),
  scheme: z.enum(['http', 'https']).optional().describe('`__scheme__` label of `/discovery` targets (https when port is 443).'),
  ownMetricsEndpoint: z.boolean().default(true).describe('Add a target for `/promregatorMetrics` to `/discovery`.'),
  refreshInterval: z.number().int().positive().default(300).describe('Seconds between background discovery refreshes.'),
})

export const promregatorSchema = z.object({
  targets: z.array(targetSchema).default([]).describe('Which apps to scrape.'),
  defaultInternalRoutePort: port.default(8080).describe('Port used for internal routes when a target names none.'),
  authenticator: authenticatorSchema.optional(),
  targetAuthenticators: z.array(targetAuthenticatorSchema).default([]).describe('Named authenticators that targets refer to.'),
  scraping: scrapingSchema.prefault({}),
  discovery: discoverySchema.prefault({}),
})

export const serverSchema = z.object({
  port: port.default(8080).describe('Port to listen on when `$PORT` is not set.'),
  address: z.string().default('0.0.0.0').describe('Address to bind.'),
})

/** The whole file. Keys outside `cf`, `promregator` and `server` are ignored (the file may be shared with Prometheus). */
export const configSchema = z
  .object({
    cf: cfSchema,
    promregator: promregatorSchema.prefault({}),
    server: serverSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    const ids = new Set(config.promregator.targetAuthenticators.map((a) => a.id))
    config.promregator.targets.forEach((target, i) => {
      if (target.authenticatorId !== undefined && !ids.has(target.authenticatorId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['promregator', 'targets', i, 'authenticatorId'],
          message: `unknown authenticator '${target.authenticatorId}' (not in promregator.targetAuthenticators)`,
        })
      }
    })
  })

export type Config = z.infer<typeof configSchema>
