/**
 * @module config/schema-cf
 * The `cf` section: the Cloud Foundry API (one block, or a list of named foundations), its
 * credentials, and how its resources are cached and requested.
 */
import { z } from 'zod'
import { ENV_NAME_RULE, envNameOf } from './env-names.ts'
import { secret } from './secret-keys.ts'
import { env, millis, proxySchema, seconds } from './schema-common.ts'

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
  rateLimit: z
    .number()
    .min(0)
    .default(10)
    .describe(
      'Most requests per second sent to the Cloud Controller and UAA, as a sustained rate; up to a second\'s worth saved up while idle goes out at once (as the original\'s Guava `RateLimiter`). Excess requests wait. The default keeps any burst of refreshes from flooding the API (the original\'s default, 0, was no limit; 0 still switches it off). A cold discovery of 50,000 apps is about 35 requests.',
    ),
  concurrency: z.number().int().min(1).max(64).default(6).describe('Most requests to the Cloud Controller in flight at once.'),
})

export type CfRequestSettings = z.infer<typeof cfRequestSchema>

export const cfSchema = z.object({
  api_host: z
    .string()
    .min(1)
    .describe('Cloud Controller API: a bare hostname (https implied) or a full URL with scheme and port.'),
  username: z.string().optional().describe('User for the UAA password grant.'),
  password: secret(z.string())
    .optional()
    .describe(`Password for the UAA password grant. Env ${env('cf.password')} overrides it; with a list of foundations ${env('cf[].password')} (see \`cf[].name\`).`),
  skipSslValidation: z.boolean().default(false).describe('Do not verify TLS certificates of the Cloud Controller and UAA.'),
  proxy: proxySchema.optional().describe('HTTP forward proxy for Cloud Controller and UAA traffic (not for scrapes: see `promregator.scraping.proxy`).'),
  client_id: z.string().min(1).optional().describe('UAA client for the client-credentials grant (instead of `username`/`password`).'),
  client_secret: secret(z.string())
    .optional()
    .describe(`Secret of \`client_id\`. Env ${env('cf.client_secret')} overrides it; with a list of foundations ${env('cf[].client_secret')}.`),
  cache: cfCacheSchema.prefault({}).describe('How long each kind of Cloud Controller resource is reused before it is read again.'),
  request: cfRequestSchema.prefault({}).describe('Timeouts, retries and rate limit of Cloud Controller requests.'),
  processInstanceHeader: z
    .enum(['auto', 'always', 'never'])
    .default('auto')
    .describe(
      'During a rolling or canary deployment an app has two `web` processes whose instance indexes overlap, and `X-CF-APP-INSTANCE` reaches either. Routers of routing-release 0.332.0 and later address one process\'s instance with `X-CF-PROCESS-INSTANCE`: `always` scrapes every instance of every web process with it, `never` assumes the router ignores it (apps in a deployment are then not scraped, with a warning, rather than mixing instances), `auto` asks the router once (and again hourly, when a deployment is seen) with an index that does not exist: a router that honours the header answers 400 `unknown_route`.',
    ),
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
