/**
 * @module config/schema
 * The configuration schema: the one source of truth for every key, its type, its default and
 * its meaning (the `.describe()` texts feed docs/configuration.md). Keys follow the Java
 * Promregator so existing YAML files keep working.
 */
import { z } from 'zod'
import { LEVELS, LOG_FORMATS } from '../log.ts'
import { ENV_NAME_RULE, envNameOf, envVariableOf } from './env-overrides.ts'
import { parseLabelSelector } from './label-selector.ts'

const port = z.number().int().min(1).max(65535)
const millis = (fallback: number, what: string) =>
  z.number().int().positive().default(fallback).describe(`${what} (milliseconds).`)

/** A regular expression given as a string; it must compile. */
const regex = z.string().refine((source) => compiles(source), { message: 'invalid regular expression' })

/** The environment variable of a secret key, quoted for a description. */
const env = (path: string) => `\`${envVariableOf(path)}\``
const authenticatorEnv = (key: string) =>
  `Env ${env(`promregator.authenticator.${key}`)} overrides it for \`promregator.authenticator\`, ${env(`promregator.targetAuthenticators[].${key}`)} for a target authenticator.`

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
    password: z.string().describe(`Password sent with HTTP Basic authentication. ${authenticatorEnv('basic.password')}`),
  })
  .describe('Credentials for `type: basic`.')

const oauth2Basic = z
  .object({
    tokenServiceURL: z.string().url().describe('Token endpoint of the OAuth2 server (XSUAA/UAA).'),
    client_id: z.string().describe('OAuth2 client id.'),
    client_secret: z.string().describe(`OAuth2 client secret. ${authenticatorEnv('oauth2xsuaaBasic.client_secret')}`),
    scopes: z.string().optional().describe('Scopes to request, separated by commas or blanks.'),
  })
  .describe('Client-credentials grant with the client secret (`type: OAuth2XSUAABasic`).')

const oauth2Certificate = z
  .object({
    tokenServiceCertURL: z.string().url().describe('Token endpoint that accepts mTLS client authentication.'),
    client_id: z.string().describe('OAuth2 client id.'),
    client_certificates: z.string().describe('Client certificate chain (PEM).'),
    client_key: z.string().describe(`Private key of the client certificate (PEM). ${authenticatorEnv('oauth2xsuaaCertificate.client_key')}`),
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
  overrideRouteAndPath: z
    .string()
    .min(1)
    .optional()
    .describe('`host[:port][/path]` to scrape as `<protocol>://<overrideRouteAndPath><path>` instead of the app route (e.g. an auth proxy in front of the app); no `X-CF-APP-INSTANCE` is sent.'),
  labelSelector: z
    .string()
    .trim()
    .min(1)
    .superRefine(checkLabelSelector)
    .optional()
    .describe(
      'Cloud Controller label selector the apps must match: requirements separated by commas, all of which must hold (`key`, `!key`, `key=value`, `key==value`, `key!=value`, `key in (v1,v2)`, `key notin (v1,v2)`; at most 50), e.g. `prometheus-scrape=true,team in (a,b),!legacy`. Checked at start with the Cloud Controller\'s rules for keys and values; passed to the API as `label_selector`.',
    ),
  kubernetesAnnotations: z
    .boolean()
    .default(false)
    .describe('Opt-in by annotation: only apps annotated `prometheus.io/scrape: "true"`; `prometheus.io/path` overrides `path`, `prometheus.io/port` the port of internal routes.'),
  foundation: z.string().min(1).optional().describe('Name of the foundation (entry of the `cf` list) the target lives on; required when more than one is configured.'),
})
export type TargetConfig = z.infer<typeof targetSchema>

/** A selector the Cloud Controller would answer with 400 is a configuration problem, not a discovery failure. */
function checkLabelSelector(selector: string, ctx: z.RefinementCtx) {
  if (selector === '') return // `.min(1)` says so
  const parsed = parseLabelSelector(selector)
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `invalid label selector: ${parsed.problem}` })
}

const proxySchema = z
  .object({
    host: z.string().min(1).describe('Host of the HTTP forward proxy.'),
    port: port.describe('Port of the HTTP forward proxy.'),
  })
  .describe('HTTP forward proxy for outbound requests.')

const seconds = (fallback: number, what: string) => z.number().positive().default(fallback).describe(`${what} (seconds).`)

/** Refresh intervals per resource class, with the original's keys and defaults. */
export const cfCacheSchema = z.object({
  timeout: z
    .object({
      org: seconds(3600, 'Age after which organizations are read again'),
      space: seconds(3600, 'Age after which spaces are read again'),
      domain: seconds(3600, 'Age after which domains are read again (they come joined with routes, so the smaller of this and `route` applies)'),
      application: seconds(300, 'Age after which the apps of the selected spaces are read again; new apps show up within this time'),
      route: seconds(300, 'Age after which routes are read again'),
      process: seconds(300, 'Age after which web processes (instance counts) are read again'),
      resolver: seconds(300, 'Longest time between two background recompositions of the picture of targets'),
    })
    .prefault({})
    .describe('Refresh interval per kind of resource (as the original\'s `refreshAfterWrite`): a background run reads a kind again once it is older than this; scrapes never wait for it.'),
})

/** Timeouts, retries and rate limit of Cloud Controller requests, with the original's keys. */
export const cfRequestSchema = z.object({
  timeout: z
    .object({
      org: millis(10_000, 'Timeout of one request for organizations (and of the API root)'),
      space: millis(10_000, 'Timeout of one request for spaces'),
      appInSpace: millis(10_000, 'Timeout of one request for apps'),
      domain: millis(10_000, 'Timeout of one request for domains'),
      route: millis(10_000, 'Timeout of one request for routes (with their domains)'),
      process: millis(10_000, 'Timeout of one request for web processes'),
    })
    .prefault({})
    .describe('Per-request timeouts. Larger defaults than the original (2500 ms) because one page holds up to 5,000 resources instead of 100.'),
  backoff: millis(500, 'First delay before retrying a request that failed with a network error or 5xx; doubled per retry, with jitter'),
  retries: z.number().int().min(0).max(10).default(2).describe('Retries after the first attempt for network errors and 5xx.'),
  rateLimit: z.number().min(0).default(0).describe('Most requests per second sent to the Cloud Controller (0: no limit); excess requests wait.'),
  concurrency: z.number().int().min(1).max(64).default(6).describe('Most requests to the Cloud Controller in flight at once.'),
})

export const cfSchema = z.object({
  api_host: z
    .string()
    .min(1)
    .describe('Cloud Controller API: a bare hostname (https implied) or a full URL with scheme and port.'),
  username: z.string().optional().describe('User for the UAA password grant.'),
  password: z
    .string()
    .optional()
    .describe(`Password for the UAA password grant. Env ${env('cf.password')} overrides it; with a list of foundations ${env('cf[].password')} (see \`cf[].name\`).`),
  skipSslValidation: z.boolean().default(false).describe('Do not verify TLS certificates of the Cloud Controller and UAA.'),
  proxy: proxySchema.optional().describe('HTTP forward proxy for Cloud Controller and UAA traffic (not for scrapes: see `promregator.scraping.proxy`).'),
  client_id: z.string().min(1).optional().describe('UAA client for the client-credentials grant (instead of `username`/`password`).'),
  client_secret: z
    .string()
    .optional()
    .describe(`Secret of \`client_id\`. Env ${env('cf.client_secret')} overrides it; with a list of foundations ${env('cf[].client_secret')}.`),
  cache: cfCacheSchema.prefault({}).describe('How long each kind of Cloud Controller resource is reused before it is read again.'),
  request: cfRequestSchema.prefault({}).describe('Timeouts, retries and rate limit of Cloud Controller requests.'),
})
export type CfConfig = z.infer<typeof cfSchema>

/** One named foundation of the list form of `cf`. */
export const foundationSchema = cfSchema.extend({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, `_`, `.` and `-` only')
    .describe(
      `Name of the foundation; targets refer to it with \`foundation\`, labels carry it. In the variables of its secrets (${env('cf[].password')}, ${env('cf[].client_secret')}) NAME is this name ${ENV_NAME_RULE}: \`eu-west.1\` gives \`CF_PASSWORD_${envNameOf('eu-west.1')}\`.`,
    ),
})
export type FoundationConfig = z.infer<typeof foundationSchema>

/** `cf` is one block (one foundation) or a list of named foundations. */
export const cfSectionSchema = z
  .union([cfSchema, z.array(foundationSchema).min(1)])
  .describe('The Cloud Foundry API: one block, or a list of named foundations each with its own API and credentials.')

export const scrapingSchema = z.object({
  proxy: proxySchema.optional(),
  connectionTimeout: millis(5000, 'Time allowed until the target answers with headers'),
  socketReadTimeout: millis(5000, 'Longest pause allowed between two chunks of the response body'),
  maxProcessingTime: millis(5000, 'Upper bound for a whole scrape of one instance'),
  threads: z
    .number()
    .int()
    .min(1)
    .max(1024)
    .default(64)
    .describe('Most scrapes of app instances in flight at once, over all endpoints; more wait their turn (the original\'s thread pool had 5).'),
  maxResponseSize: z
    .number()
    .int()
    .min(1024)
    .default(16 * 1024 * 1024)
    .describe('Largest metrics body accepted from one instance (bytes, after decompression); a larger one is dropped and the scrape fails with `body_too_large`.'),
  maxRedirects: z.number().int().min(0).max(20).default(5).describe('Redirects followed per scrape before it fails with `redirects`.'),
  labelEnrichment: z
    .boolean()
    .default(false)
    .describe(
      'Whether `/singleTargetMetrics` adds the instance labels (`org_name`, `app_name`, `cf_instance_id`, ...) to every sample, as `/metrics` always does (a colliding target label is kept as `exported_<name>`). Off: the instance\'s body passes through unparsed with `promregator_up` and `promregator_scrape_duration_seconds` appended, and Prometheus is expected to attach the labels from discovery.',
    ),
  failedTargetStatus: z
    .number()
    .int()
    .refine((s) => s === 200 || (s >= 500 && s <= 599), { message: 'expected 200 or a 5xx status' })
    .default(200)
    .describe(
      'HTTP status of `/singleTargetMetrics` when the instance could not be scraped. 200 (as the original) keeps Prometheus\'s `up` at 1 and reports `promregator_up 0`; a 5xx such as 503 makes Prometheus\'s own `up` go to 0.',
    ),
})

/** Inbound authentication of one endpoint group: `NONE` or `BASIC` (case-insensitive), as in the original. */
export const INBOUND_AUTH = ['NONE', 'BASIC'] as const
export type InboundAuth = (typeof INBOUND_AUTH)[number]
function inboundAuth(what: string) {
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
      password: z
        .string()
        .min(1)
        .optional()
        .describe(
          `Password of that user; when unset and some endpoint group uses BASIC, a random one is generated and printed once at start. Env ${env('promregator.authentication.basic.password')} overrides it.`,
        ),
    })
    .prefault({})
    .describe('The one user of inbound HTTP Basic authentication (as in the original).'),
})

export const logSchema = z.object({
  level: z.enum(LEVELS).default('info').describe('Least severe level written: `debug`, `info`, `warn` or `error`.'),
  format: z.enum(LOG_FORMATS).default('logfmt').describe('`logfmt` or `json`; one line per event on standard error either way.'),
})

export const discoverySchema = z.object({
  hostname: z.string().optional().describe('Host written into `/discovery` targets; default: the Host of the request.'),
  port: port.optional().describe('Port written into `/discovery` targets; default: the port of the request.'),
  scheme: z.enum(['http', 'https']).optional().describe('`__scheme__` label of `/discovery` targets (https when port is 443).'),
  ownMetricsEndpoint: z.boolean().default(true).describe('Add a target for `/promregatorMetrics` to `/discovery`.'),
  refreshInterval: z
    .number()
    .int()
    .positive()
    .default(300)
    .describe('Longest time between two background discovery runs (seconds); runs also happen at the smallest `cf.cache.timeout.*`. A run reads each kind of resource again only when it is older than its own `cf.cache.timeout.*`.'),
  auth: inboundAuth('`/discovery` and the status page `/`'),
})

export const promregatorSchema = z.object({
  targets: z.array(targetSchema).default([]).describe('Which apps to scrape.'),
  defaultInternalRoutePort: port.default(8080).describe('Port used for internal routes when a target names none.'),
  authenticator: authenticatorSchema.optional(),
  targetAuthenticators: z.array(targetAuthenticatorSchema).default([]).describe('Named authenticators that targets refer to.'),
  scraping: scrapingSchema.prefault({}),
  discovery: discoverySchema.prefault({}),
  authentication: authenticationSchema.prefault({}).describe('The user for inbound HTTP Basic authentication.'),
  endpoint: z.object({ auth: inboundAuth('the scrape endpoints `/singleTargetMetrics/...` and `/metrics`') }).prefault({}).describe('The scrape endpoints.'),
  metrics: z.object({ auth: inboundAuth('`/promregatorMetrics`') }).prefault({}).describe('The own-metrics endpoint `/promregatorMetrics`.'),
  cache: z
    .object({ invalidate: z.object({ auth: inboundAuth('`/cache/invalidate`') }).prefault({}).describe('`GET /cache/invalidate`, which forces a discovery refresh.') })
    .prefault({})
    .describe('Cache control endpoints.'),
  log: logSchema.prefault({}).describe('Logging. (Spring\'s `logging.level.*` map of the original is ignored, so old files still load.)'),
})

export const serverSchema = z.object({
  port: port.default(8080).describe('Port to listen on when `$PORT` is not set.'),
  address: z.string().default('0.0.0.0').describe('Address to bind.'),
})

/** The whole file. Keys outside `cf`, `promregator` and `server` are ignored (the file may be shared with Prometheus). */
export const configSchema = z
  .object({
    cf: cfSectionSchema,
    promregator: promregatorSchema.prefault({}),
    server: serverSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    checkFoundations(config.cf, config.promregator.targets, ctx)
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

/** Credentials per foundation, unique names, and every target on a known foundation. */
function checkFoundations(cf: CfConfig | FoundationConfig[], targets: TargetConfig[], ctx: z.RefinementCtx) {
  const list = Array.isArray(cf) ? cf : [cf]
  const names = new Set<string>()
  list.forEach((foundation, i) => {
    const path = Array.isArray(cf) ? ['cf', i] : ['cf']
    const name = (foundation as Partial<FoundationConfig>).name
    if (name !== undefined) {
      if (names.has(name)) ctx.addIssue({ code: 'custom', path: [...path, 'name'], message: `duplicate foundation name '${name}'` })
      names.add(name)
    }
    if (foundation.client_id === undefined && (foundation.username === undefined || foundation.password === undefined)) {
      ctx.addIssue({ code: 'custom', path, message: 'credentials required: `username` and `password` (password grant) or `client_id` and `client_secret` (client credentials)' })
    }
  })
  targets.forEach((target, i) => {
    const path = ['promregator', 'targets', i, 'foundation']
    if (target.foundation === undefined) {
      if (list.length > 1) ctx.addIssue({ code: 'custom', path, message: `required when several foundations are configured (one of ${[...names].join(', ')})` })
    } else if (Array.isArray(cf) ? !names.has(target.foundation) : false) {
      ctx.addIssue({ code: 'custom', path, message: `unknown foundation '${target.foundation}' (not a name in the cf list)` })
    }
  })
}
