/**
 * @module config/schema-heroku
 * The `heroku` section: Heroku Platform API accounts whose Private Spaces hold apps to scrape, one
 * block or a list of named entries, in the style of `cf`. The token is the Heroku CLI's
 * `HEROKU_API_KEY` (per entry `HEROKU_API_KEY_<NAME>`). The Platform API's request pool (4,500
 * per account, refilled at about 75 a minute) is shared with every other client of the account:
 * `rateLimit` keeps discovery's share small.
 */
import { z } from 'zod'
import { ENV_NAME_RULE, envNameOf } from './env-names.ts'
import { env, millis, seconds } from './schema-common.ts'
import { secret } from './secret-keys.ts'

export const herokuRateLimitSchema = z.object({
  perSecond: z.number().min(0).default(2).describe('Most Platform API requests per second (0: no limit).'),
  reserve: z
    .number()
    .int()
    .min(0)
    .default(1000)
    .describe('When the account\'s pool (`RateLimit-Remaining`) falls below this, discovery refreshes only every fourth interval, serving the last picture in between, so that other tools of the account keep their share.'),
})

export const herokuSchema = z.object({
  api_url: z.string().url().default('https://api.heroku.com').describe('Heroku Platform API.'),
  token: secret(z.string().min(1))
    .optional()
    .describe(`OAuth token of the account (\`heroku authorizations:create --scope read\`). Env ${env('heroku.token')} overrides it; with a list of entries ${env('heroku[].token')}.`),
  rateLimit: herokuRateLimitSchema.prefault({}).describe('How much of the account\'s shared request pool discovery may use.'),
  refreshInterval: seconds(300, 'Longest time between two discoveries of this account'),
  request: z
    .object({
      timeout: millis(10_000, 'Timeout of one Platform API request'),
      retries: z.number().int().min(0).max(10).default(2).describe('Retries after the first attempt for network errors and 5xx.'),
      backoff: millis(500, 'First retry delay, doubled per retry'),
    })
    .prefault({})
    .describe('Timeouts and retries of Platform API requests.'),
})
export type HerokuConfig = z.infer<typeof herokuSchema>

/** One named entry of the list form of `heroku`. */
export const herokuEntrySchema = herokuSchema.extend({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, `_`, `.` and `-` only')
    .describe(`Name of the entry; targets refer to it with \`foundation\`. In its token's variable NAME is this name ${ENV_NAME_RULE}: \`eu.1\` gives \`HEROKU_API_KEY_${envNameOf('eu.1')}\`.`),
})
export type HerokuEntryConfig = z.infer<typeof herokuEntrySchema>

/** `heroku` is one block or a list of named entries. */
export const herokuSectionSchema = z
  .union([herokuSchema, z.array(herokuEntrySchema).min(1)])
  .describe('Heroku Platform API accounts whose Private Spaces hold apps to scrape: one block, or a list of named entries.')
