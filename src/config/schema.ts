/**
 * @module config/schema
 * The configuration schema: the one source of truth for every key, its type, its default and
 * its meaning (the `.describe()` texts feed docs/configuration.md). Keys follow the Java
 * Promregator so existing YAML files keep working. The sections live in schema-*.ts, which
 * src/boot.ts evaluates one per turn of the event loop (building zod schemas is most of the
 * start-up cost, and a waiting liveness probe is answered between two parts).
 */
import { z } from 'zod'
import { sectionEntries, type SectionEntry } from './entries.ts'
import { LEVELS, LOG_FORMATS } from '../log.ts'
import { authenticatorSchema, targetAuthenticatorSchema } from './schema-auth.ts'
import { cfSectionSchema, type CfConfig, type FoundationConfig } from './schema-cf.ts'
import { millis, port, proxySchema } from './schema-common.ts'
import { herokuSectionSchema, type HerokuConfig, type HerokuEntryConfig } from './schema-heroku.ts'
import { authenticationSchema, inboundAuth } from './schema-inbound.ts'
import { targetSchema, type TargetConfig } from './schema-target.ts'

export * from './schema-auth.ts'
export * from './schema-cf.ts'
export * from './schema-inbound.ts'
export * from './schema-target.ts'

export const scrapingSchema = z.object({
  proxy: proxySchema.optional(),
  proxyInternalRoutes: z
    .boolean()
    .default(false)
    .describe(
      'Send scrapes of targets on a platform\'s private network (Cloud Foundry internal routes such as `*.apps.internal`) through `proxy` too. Off by default: their names resolve only inside the platform, which a forward proxy outside cannot reach.',
    ),
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

export const replicasSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        'When this process runs as several instances of one Cloud Foundry app (`VCAP_APPLICATION` and `CF_INSTANCE_INDEX` set, the instance count read from the Cloud Controller of the configured foundation whose API is `VCAP_APPLICATION.cf_api`), any instance serves the own metrics of every instance at `/promregatorMetrics/instances/<index>` (fetched from its sibling through the gorouter with `X-CF-APP-INSTANCE`, labelled `cf_instance_number`), and `/discovery` lists one such target per instance instead of the one `/promregatorMetrics` target.',
      ),
    route: z.string().min(1).optional().describe('Route (`host[/path]`) through which the instances reach each other; default: the first of `VCAP_APPLICATION.application_uris` not under `apps.internal` (set it when the foundation\'s internal domain has another name).'),
    protocol: z.enum(['http', 'https']).default('https').describe('Scheme of the requests to sibling instances through the gorouter.'),
  })
  .describe('Own metrics of every instance when the product runs as several instances of one Cloud Foundry app.')

export const promregatorSchema = z.object({
  targets: z.array(targetSchema).default([]).describe('Which apps to scrape.'),
  defaultInternalRoutePort: port.default(8080).describe('Port used for internal routes when neither the target nor the route\'s destination names one.'),
  authenticator: authenticatorSchema.optional(),
  targetAuthenticators: z.array(targetAuthenticatorSchema).default([]).describe('Named authenticators that targets refer to.'),
  scraping: scrapingSchema.prefault({}),
  discovery: discoverySchema.prefault({}),
  authentication: authenticationSchema.prefault({}).describe('The user for inbound HTTP Basic authentication.'),
  endpoint: z.object({ auth: inboundAuth('the scrape endpoints `/singleTargetMetrics/...` and `/metrics`') }).prefault({}).describe('The scrape endpoints.'),
  metrics: z
    .object({
      auth: inboundAuth('`/promregatorMetrics` and `/promregatorMetrics/instances/<index>`'),
      replicas: replicasSchema.prefault({}),
    })
    .prefault({})
    .describe('The own-metrics endpoint `/promregatorMetrics`.'),
  cache: z
    .object({
      invalidate: z
        .object({
          auth: inboundAuth('`/cache/invalidate`'),
          minInterval: z
            .number()
            .min(0)
            .default(5)
            .describe(
              'Least time between two discovery refreshes caused by `/cache/invalidate` (seconds). Requests meanwhile join the refresh that is waiting for its turn, so however often the endpoint is called, the platform APIs see at most one refresh per interval.',
            ),
        })
        .prefault({})
        .describe('`GET /cache/invalidate`, which forces a discovery refresh. On a public route protect it (`auth: BASIC`): each refresh spends the platform user\'s API budget.'),
    })
    .prefault({})
    .describe('Cache control endpoints.'),
  log: logSchema.prefault({}).describe('Logging. (Spring\'s `logging.level.*` map of the original is ignored, so old files still load.)'),
})

export const serverSchema = z.object({
  port: port.default(8080).describe('Port to listen on when `$PORT` is not set.'),
  address: z.string().default('0.0.0.0').describe('Address to bind.'),
})

/** The whole file. Keys outside `cf`, `heroku`, `promregator` and `server` are ignored (the file may be shared with Prometheus). */
export const configSchema = z
  .object({
    cf: cfSectionSchema.optional(),
    heroku: herokuSectionSchema.optional(),
    promregator: promregatorSchema.prefault({}),
    server: serverSchema.prefault({}),
  })
  .superRefine((config, ctx) => {
    checkPlatforms(config, ctx)
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

/** Keys that only Cloud Foundry targets take, and only Heroku targets (set, not defaulted). */
const CF_ONLY_KEYS = ['orgName', 'orgRegex', 'labelSelector', 'internalRoutePort', 'overrideRouteAndPath'] as const
const HEROKU_ONLY_KEYS = ['teamName', 'processType', 'port'] as const

/** One platform entry of the configuration, with its kind. */
type Entry = SectionEntry<CfConfig | HerokuConfig> & { kind: 'cf' | 'heroku' }

/** The entries of `cf` and `heroku`, in that order. */
function entriesOf(config: { cf?: CfConfig | FoundationConfig[]; heroku?: HerokuConfig | HerokuEntryConfig[] }): Entry[] {
  return [
    ...sectionEntries<CfConfig>('cf', config.cf).map((e): Entry => ({ ...e, kind: 'cf' })),
    ...sectionEntries<HerokuConfig>('heroku', config.heroku).map((e): Entry => ({ ...e, kind: 'heroku' })),
  ]
}

/**
 * At least one platform; credentials per entry; names unique over both kinds; every target on a
 * known entry (named when there are several), with only the keys its kind of platform takes.
 */
function checkPlatforms(config: { cf?: CfConfig | FoundationConfig[]; heroku?: HerokuConfig | HerokuEntryConfig[]; promregator: { targets: TargetConfig[] } }, ctx: z.RefinementCtx) {
  const entries = entriesOf(config)
  if (entries.length === 0) ctx.addIssue({ code: 'custom', path: ['cf'], message: 'no platform configured: set `cf` (a Cloud Foundry foundation) or `heroku` (a Heroku account)' })
  const byName = new Map<string, Entry>()
  for (const entry of entries) {
    // Targets name their entry: with several, a single block (which has no name) cannot be named.
    if (entries.length > 1 && entry.name === undefined) {
      ctx.addIssue({ code: 'custom', path: entry.path, message: `with several platform entries each needs a name: write \`${entry.kind}\` as a list of entries with \`name\`` })
    }
    if (entry.name !== undefined) {
      if (byName.has(entry.name)) ctx.addIssue({ code: 'custom', path: [...entry.path, 'name'], message: `duplicate platform entry name '${entry.name}'` })
      byName.set(entry.name, entry)
    }
    if (entry.kind === 'cf') {
      const cf = entry.settings as CfConfig
      if (cf.client_id === undefined && (cf.username === undefined || cf.password === undefined)) {
        ctx.addIssue({ code: 'custom', path: entry.path, message: 'credentials required: `username` and `password` (password grant) or `client_id` and `client_secret` (client credentials)' })
      }
    } else if ((entry.settings as HerokuConfig).token === undefined) {
      ctx.addIssue({ code: 'custom', path: [...entry.path, 'token'], message: `required: the account's OAuth token (or the environment variable ${entry.name === undefined ? 'HEROKU_API_KEY' : 'HEROKU_API_KEY_<NAME>'})` })
    }
  }
  config.promregator.targets.forEach((target, i) => {
    const path = ['promregator', 'targets', i]
    let entry: Entry | undefined = entries.length === 1 ? entries[0] : undefined
    if (target.foundation === undefined) {
      if (entries.length > 1) ctx.addIssue({ code: 'custom', path: [...path, 'foundation'], message: `required when several platform entries are configured (one of ${[...byName.keys()].join(', ')})` })
    } else if (entries.length > 1 || entries[0]?.name !== undefined) {
      entry = byName.get(target.foundation)
      if (!entry) ctx.addIssue({ code: 'custom', path: [...path, 'foundation'], message: `unknown platform entry '${target.foundation}' (not a name in the cf or heroku list)` })
    }
    if (!entry) return
    const foreign = entry.kind === 'cf' ? HEROKU_ONLY_KEYS : CF_ONLY_KEYS
    for (const key of foreign) {
      if (target[key] !== undefined) ctx.addIssue({ code: 'custom', path: [...path, key], message: `a ${entry.kind === 'cf' ? 'Cloud Foundry' : 'Heroku'} target does not take ${key}` })
    }
    if (entry.kind === 'heroku' && target.preferredRouteRegex.length > 0) ctx.addIssue({ code: 'custom', path: [...path, 'preferredRouteRegex'], message: 'a Heroku target does not take preferredRouteRegex (dynos are reached by name, not by route)' })
    if (entry.kind === 'heroku' && target.kubernetesAnnotations) ctx.addIssue({ code: 'custom', path: [...path, 'kubernetesAnnotations'], message: 'a Heroku target does not take kubernetesAnnotations' })
  })
}
