/**
 * @module platform/heroku
 * Heroku Private Spaces behind the platform seam: one {@link Platform} per entry of the `heroku`
 * section, each with its Platform API client and discoverer. The account's request pool is shared
 * with the operator's other tools: when `RateLimit-Remaining` falls below `rateLimit.reserve`, only
 * every fourth refresh asks the API, and the last picture is served in between.
 */
import type { Config } from '../../config/schema.ts'
import { sectionEntries } from '../../config/entries.ts'
import type { HerokuConfig } from '../../config/schema-heroku.ts'
import type { Discovery, Platform, PlatformDeps } from '../types.ts'
import { createHerokuClient } from './client.ts'
import { createHerokuDiscoverer } from './discover.ts'
import { dynoTarget } from './targets.ts'

/** Name of the entry of a single `heroku:` block. */
export const DEFAULT_HEROKU_ENTRY = 'default'

/** The configured entries in configuration order. */
export function herokuEntriesOf(config: Pick<Config, 'heroku'>): Array<{ name: string; settings: HerokuConfig }> {
  return sectionEntries<HerokuConfig>('heroku', config.heroku).map(({ name, settings }) => ({ name: name ?? DEFAULT_HEROKU_ENTRY, settings }))
}

/** Refreshes skipped in a row while the account's pool is below the reserve. */
const SKIPPED_WHEN_LOW = 3

/** One platform entry per configured Heroku entry. */
export function createHerokuPlatforms(config: Config, deps: PlatformDeps): Platform[] {
  return herokuEntriesOf(config).map(({ name, settings }) => {
    const targets = config.promregator.targets.map((target, index) => ({ index, target })).filter(({ target }) => !deps.labelled || target.foundation === name)
    const client = createHerokuClient({
      apiUrl: settings.api_url,
      token: settings.token ?? '',
      fetch: deps.fetch,
      request: settings.request,
      perSecond: settings.rateLimit.perSecond,
      onRequest: (event) => deps.observer?.apiRequest(name, event),
    })
    const discoverer = createHerokuDiscoverer({ client, targets, logger: deps.logger, now: deps.now })
    let last: Discovery | undefined
    let skipped = 0
    return {
      name,
      refreshIntervalMs: settings.refreshInterval * 1000,
      async discover() {
        const left = client.remaining()
        if (last && left !== undefined && left < settings.rateLimit.reserve && skipped < SKIPPED_WHEN_LOW) {
          skipped++
          deps.logger.info('Platform API pool below the reserve: this refresh serves the last picture', { entry: name, remaining: left, reserve: settings.rateLimit.reserve })
          return last
        }
        skipped = 0
        const found = await discoverer.discover()
        last = {
          targets: found.dynos.map((dyno) => dynoTarget(dyno, config.promregator.targets[dyno.targetIndex]!, { name, labelled: deps.labelled })),
          apps: found.apps,
          problems: found.problems,
        }
        return last
      },
      // Nothing is cached between runs but the topology fallback: every run reads the API.
      invalidate: () => undefined,
      info: () => {
        const left = client.remaining()
        const low = left !== undefined && left < settings.rateLimit.reserve
        return { kind: 'heroku', api: client.apiUrl, notes: low ? [{ level: 'warn', text: `Platform API pool at ${left} (reserve ${settings.rateLimit.reserve}): refreshing at a quarter of the pace` }] : [] }
      },
    }
  })
}
