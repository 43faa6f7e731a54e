/**
 * @module bench/original-discovery
 * The Java Promregator's discovery method (promregator-inventory §4), rebuilt on our CF client
 * for comparison on the same simulator: pages of 100, organizations, then the spaces of each
 * org, the apps of each space, web processes and routes bundled 100 app GUIDs per request
 * (its RequestAggregator), and the domains of each org. The aggregator's 125 ms check interval
 * is left out, which flatters the original's wall time.
 */
import type { CfClient } from '../src/platform/cf/client.ts'
import { appSchema, domainSchema, organizationSchema, processSchema, routeSchema, spaceSchema } from '../src/platform/cf/resources.ts'

const PAGE = { per_page: '100' }
const BLOCK = 100

/** Resolves every started app with its instance count and routes; returns the instance count. */
export async function originalDiscovery(client: CfClient): Promise<number> {
  const orgs = (await client.list('/v3/organizations', PAGE, organizationSchema)).resources
  const spaces = (await Promise.all(orgs.map((o) => client.list('/v3/spaces', { ...PAGE, organization_guids: [o.guid] }, spaceSchema)))).flatMap((r) => r.resources)
  const apps = (
    await Promise.all(
      spaces.map((s) => client.list('/v3/apps', { ...PAGE, organization_guids: [s.relationships.organization.data!.guid], space_guids: [s.guid] }, appSchema)),
    )
  )
    .flatMap((r) => r.resources)
    .filter((a) => a.state === 'STARTED')
  const blocks: string[][] = []
  for (let i = 0; i < apps.length; i += BLOCK) blocks.push(apps.slice(i, i + BLOCK).map((a) => a.guid))
  const [processes, routes] = await Promise.all([
    Promise.all(blocks.map((b) => client.list('/v3/processes', { ...PAGE, app_guids: b, types: ['web'] }, processSchema))),
    Promise.all(blocks.map((b) => client.list('/v3/routes', { ...PAGE, app_guids: b }, routeSchema))),
    Promise.all(orgs.map((o) => client.list(`/v3/organizations/${o.guid}/domains`, {}, domainSchema))),
  ])
  const instances = new Map(processes.flatMap((r) => r.resources).map((p) => [p.relationships.app.data!.guid, p.instances]))
  const routed = new Set(routes.flatMap((r) => r.resources).flatMap((r) => r.destinations.map((d) => d.app.guid)))
  return apps.reduce((sum, a) => sum + (routed.has(a.guid) ? (instances.get(a.guid) ?? 0) : 0), 0)
}
