/**
 * @module platform/cf/own-app
 * The product's own app, when it runs on a Cloud Foundry foundation: `VCAP_APPLICATION` names the
 * app, its web process and its Cloud Controller (`cf_api`), `CF_INSTANCE_INDEX` this instance.
 * Behind the gorouter `/promregatorMetrics` answers from whichever instance the router picks; here
 * every instance's own metrics become a target reached with `X-CF-APP-INSTANCE`, exactly like an
 * instance of a scraped app (same route choice, same labels). How many instances there are is read
 * from the Cloud Controller: one request per discovery refresh (the web process by its GUID).
 */
import { z } from 'zod'
import type { Config } from '../../config/schema.ts'
import type { OwnInstances } from '../types.ts'
import { apiBaseUrl, type CfClient } from './client.ts'
import type { QueryValue } from './query.ts'
import { processSchema } from './resources.ts'
import { classifyApp } from './routes.ts'

/** The fields of `VCAP_APPLICATION` used here (the Cloud Controller writes more). */
const vcapApplicationSchema = z.object({
  application_id: z.string().min(1),
  application_name: z.string(),
  application_uris: z.array(z.string()).nullish(),
  cf_api: z.string().optional(),
  process_id: z.string().optional(),
  organization_name: z.string().optional(),
  space_name: z.string().optional(),
})

/** The own app as the environment describes it. */
export interface OwnApp {
  appGuid: string
  appName: string
  processGuid?: string
  orgName: string
  spaceName: string
  /** The Cloud Controller's URL (`cf_api`), if given. */
  api?: string
  uris: string[]
  index: number
}

/** Default internal domain of Cloud Foundry: its routes cannot carry `X-CF-APP-INSTANCE` through the gorouter. */
const INTERNAL_DOMAIN_SUFFIX = '.apps.internal'

/**
 * Reads the own app from the environment: undefined when not running on Cloud Foundry (no
 * `VCAP_APPLICATION`), a problem when the variables are there but unusable.
 */
export function readOwnApp(env: Readonly<Record<string, string | undefined>>): OwnApp | { problem: string } | undefined {
  const raw = env.VCAP_APPLICATION
  if (raw === undefined || raw.trim() === '') return undefined
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch {
    return { problem: 'VCAP_APPLICATION is not JSON' }
  }
  const parsed = vcapApplicationSchema.safeParse(json)
  if (!parsed.success) return { problem: `VCAP_APPLICATION lacks ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}` }
  const indexText = env.CF_INSTANCE_INDEX ?? env.INSTANCE_INDEX
  const index = Number(indexText)
  if (indexText === undefined || !/^\d+$/.test(indexText) || !Number.isSafeInteger(index)) return { problem: `CF_INSTANCE_INDEX is ${indexText === undefined ? 'not set' : `'${indexText}', not an index`}` }
  const app = parsed.data
  return {
    appGuid: app.application_id,
    appName: app.application_name,
    processGuid: app.process_id,
    orgName: app.organization_name ?? '',
    spaceName: app.space_name ?? '',
    api: app.cf_api,
    uris: app.application_uris ?? [],
    index,
  }
}

/** Whether the own app's Cloud Controller is the one at `apiUrl` (hosts compared, scheme and path ignored). */
export function isOwnFoundation(app: OwnApp, apiUrl: string): boolean {
  if (app.api === undefined) return false
  try {
    return new URL(apiBaseUrl(app.api)).host.toLowerCase() === new URL(apiBaseUrl(apiUrl)).host.toLowerCase()
  } catch {
    return false
  }
}

/** The route siblings are reached through: the configured one, else the first external one of the app. */
export function ownRoute(app: OwnApp, configured: string | undefined): string | undefined {
  if (configured !== undefined) return configured
  return app.uris.find((uri) => !uri.split('/', 1)[0]!.toLowerCase().endsWith(INTERNAL_DOMAIN_SUFFIX))
}

export interface OwnInstancesOptions {
  app: OwnApp
  route: string
  client: CfClient
  settings: Config['promregator']['metrics']['replicas']
  /** The foundation's name when targets carry it. */
  foundation?: string
}

/** The own app's instances as targets of its own-metrics endpoint, counted by the Cloud Controller at each call. */
export function ownInstances(options: OwnInstancesOptions): OwnInstances {
  const { app, route, client } = options
  const query: Record<string, QueryValue> = app.processGuid !== undefined ? { guids: [app.processGuid] } : { app_guids: [app.appGuid], types: ['web'] }
  return {
    ownIndex: app.index,
    async targets() {
      const { resources } = await client.list('/v3/processes', query, processSchema)
      const web = resources.find((p) => p.type === 'web') ?? resources[0]
      if (!web) throw new Error(`the own app's web process (app ${app.appGuid}) is not visible to the configured Cloud Foundry user`)
      const classified = classifyApp(
        {
          targetIndex: -1,
          orgGuid: '',
          orgName: app.orgName,
          spaceGuid: '',
          spaceName: app.spaceName,
          appGuid: app.appGuid,
          appName: app.appName,
          labels: {},
          annotations: {},
          instances: web.instances,
          routes: [{ url: route, host: '', path: '', domain: '', internal: false }],
          foundation: options.foundation,
        },
        { path: '/promregatorMetrics', protocol: options.settings.protocol, preferredRouteRegex: [], defaultInternalRoutePort: 8080 },
      )
      if (!classified.ok) throw new Error(classified.reason)
      return classified.targets
    },
  }
}
