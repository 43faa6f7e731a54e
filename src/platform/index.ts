/**
 * @module platform
 * The one place that assembles platforms: every configured entry of every kind, in configuration
 * order. Nothing else imports a platform's folder.
 */
import type { Config } from '../config/schema.ts'
import { createCfPlatforms } from './cf/index.ts'
import { foundationsOf } from './cf/foundations.ts'
import { createHerokuPlatforms, herokuEntriesOf } from './heroku/index.ts'
import type { Platform, PlatformDeps, PlatformObserver } from './types.ts'

/** Everything the platforms share; `observerFor` gives each kind of platform its metrics. */
export interface PlatformsDeps extends Omit<PlatformDeps, 'labelled' | 'observer'> {
  observerFor?: (kind: string) => PlatformObserver
}

/** Builds every configured platform entry; nothing is requested yet. With more than one, targets carry their entry's name. */
export function createPlatforms(config: Config, deps: PlatformsDeps): Platform[] {
  const cf = foundationsOf(config).length
  const heroku = herokuEntriesOf(config).length
  const labelled = cf + heroku > 1
  // Each kind's own metrics exist only when the kind is configured.
  return [
    ...(cf > 0 ? createCfPlatforms(config, { ...deps, labelled, observer: deps.observerFor?.('cf') }) : []),
    ...(heroku > 0 ? createHerokuPlatforms(config, { ...deps, labelled, observer: deps.observerFor?.('heroku') }) : []),
  ]
}
