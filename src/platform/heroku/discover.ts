/**
 * @module platform/heroku/discover
 * Finds the dynos the targets select, spending few requests of the account's shared pool: the apps
 * (`GET /teams/{team}/apps` per named team, else `GET /apps`, 1,000 a page), then one
 * `GET /spaces/{space}/topology` per Private Space with selected apps (every dyno with its number
 * and hostname: requests grow with spaces, not apps). Topology is a prototype endpoint: where it
 * fails, the space's apps are read with `GET /apps/{app}/dynos` each (which also gives each dyno's
 * state), and the space is not asked for topology again for an hour. Apps outside a Private Space
 * and Fir-generation apps (no DNS service discovery) are reported, never silently dropped.
 */
import type { TargetConfig } from '../../config/schema.ts'
import type { Logger } from '../../log.ts'
import { nameMatcher, type NameMatcher } from '../match.ts'
import type { DiscoveryProblem } from '../types.ts'
import type { HerokuClient } from './client.ts'
import { appSchema, dynoSchema, generationOf, topologySchema, type HerokuApp } from './resources.ts'

/** One dyno of a selected app, with what reaching it needs. */
export interface DiscoveredDyno {
  app: HerokuApp
  /** Index into `promregator.targets` of the target that selected the app. */
  targetIndex: number
  team: string
  space: string
  type: string
  number: number
  /** `<number>.<type>.<app>.app.localspace`, resolvable inside the space only. */
  hostname: string
  /** `up`, or why it is not scraped (`crashed`, `starting`, ...). */
  state: string
}

export interface HerokuDiscovery {
  dynos: DiscoveredDyno[]
  apps: number
  problems: DiscoveryProblem[]
}

export interface HerokuDiscoverer {
  discover(): Promise<HerokuDiscovery>
}

interface Plan {
  index: number
  team: NameMatcher
  space: NameMatcher
  app: NameMatcher
  processType: string
  /** The target names a space: apps outside one are simply not selected. */
  namesSpace: boolean
}

/** How long a space whose topology failed is read app by app instead (ms). */
const TOPOLOGY_RETRY_MS = 3_600_000

/** The dyno name of Heroku's private DNS. */
export function dynoHostname(number: number, type: string, app: string): string {
  return `${number}.${type}.${app}.app.localspace`
}

export interface HerokuDiscovererOptions {
  client: HerokuClient
  targets: Array<{ index: number; target: TargetConfig }>
  logger: Logger
  now?: () => number
}

/** Creates the discoverer of one Heroku entry. */
export function createHerokuDiscoverer(options: HerokuDiscovererOptions): HerokuDiscoverer {
  const { client, logger } = options
  const now = options.now ?? Date.now
  const plans: Plan[] = options.targets.map(({ index, target }) => ({
    index,
    team: nameMatcher(target.teamName, undefined),
    space: nameMatcher(target.spaceName, target.spaceRegex),
    app: nameMatcher(target.applicationName, target.applicationRegex),
    processType: target.processType ?? 'web',
    namesSpace: Boolean(target.spaceName || target.spaceRegex),
  }))
  const topologyFailedAt = new Map<string, number>()

  async function listApps(): Promise<HerokuApp[]> {
    const teams = plans.map((p) => p.team.exact)
    if (teams.length > 0 && teams.every((t) => t !== undefined)) {
      const lists = await Promise.all([...new Set(teams as string[])].map((team) => client.list(`/teams/${encodeURIComponent(team)}/apps`, appSchema)))
      return lists.flatMap((l) => l.items)
    }
    return (await client.list('/apps', appSchema)).items
  }

  /** Selected apps (the first target that selects an app wins), and the ones that cannot be scraped. */
  function select(apps: HerokuApp[]): { selected: Array<{ app: HerokuApp; plan: Plan }>; problems: DiscoveryProblem[] } {
    const selected: Array<{ app: HerokuApp; plan: Plan }> = []
    const problems: DiscoveryProblem[] = []
    for (const app of apps) {
      const plan = plans.find((p) => p.team(app.team?.name ?? '') && p.app(app.name) && (app.space ? p.space(app.space.name) : !p.namesSpace))
      if (!plan) continue
      const where = `${app.team?.name ?? ''}/${app.space?.name ?? ''}`
      if (!app.space) problems.push({ where, app: app.name, reason: 'not in a Private Space: its dynos have no private DNS name to scrape them by' })
      else if (generationOf(app) === 'fir') problems.push({ where, app: app.name, reason: 'Fir-generation app: Fir spaces offer no DNS service discovery, so single dynos cannot be scraped' })
      else selected.push({ app, plan })
    }
    return { selected, problems }
  }

  /** Dynos of the selected apps of one space: from its topology, else app by app. */
  async function dynosOfSpace(spaceId: string, members: Array<{ app: HerokuApp; plan: Plan }>): Promise<DiscoveredDyno[]> {
    const failedAt = topologyFailedAt.get(spaceId)
    if (failedAt === undefined || now() - failedAt >= TOPOLOGY_RETRY_MS) {
      try {
        const topology = await client.get(`/spaces/${encodeURIComponent(spaceId)}/topology`, topologySchema)
        topologyFailedAt.delete(spaceId)
        const byApp = new Map(topology.apps.map((a) => [a.id, a]))
        return members.flatMap(({ app, plan }) =>
          (byApp.get(app.id)?.formation ?? [])
            .filter((f) => f.process_type === plan.processType)
            .flatMap((f) => f.dynos.map((d) => dyno(app, plan, d.number, 'up', d.hostname))),
        )
      } catch (error) {
        topologyFailedAt.set(spaceId, now())
        logger.warn('space topology unavailable; reading the dynos app by app for an hour', { space: members[0]?.app.space?.name ?? spaceId, error: (error as Error).message })
      }
    }
    const lists = await Promise.all(members.map(async ({ app, plan }) => ({ app, plan, dynos: (await client.list(`/apps/${app.id}/dynos`, dynoSchema)).items })))
    return lists.flatMap(({ app, plan, dynos }) =>
      dynos.filter((d) => d.type === plan.processType).map((d) => dyno(app, plan, Number(d.name.slice(d.name.lastIndexOf('.') + 1)), d.state)),
    )
  }

  function dyno(app: HerokuApp, plan: Plan, number: number, state: string, hostname?: string): DiscoveredDyno {
    return { app, targetIndex: plan.index, team: app.team?.name ?? '', space: app.space?.name ?? '', type: plan.processType, number, hostname: hostname || dynoHostname(number, plan.processType, app.name), state }
  }

  return {
    async discover() {
      const { selected, problems } = select(await listApps())
      // Every selected app counts, also the ones reported as not scrapeable.
      const apps = selected.length + problems.length
      const bySpace = new Map<string, Array<{ app: HerokuApp; plan: Plan }>>()
      for (const entry of selected) bySpace.set(entry.app.space!.id, [...(bySpace.get(entry.app.space!.id) ?? []), entry])
      const dynos = (await Promise.all([...bySpace].map(([spaceId, members]) => dynosOfSpace(spaceId, members)))).flat()
      dynos.sort((a, b) => a.app.name.localeCompare(b.app.name) || a.number - b.number)
      const withDynos = new Set(dynos.map((d) => d.app.id))
      for (const { app, plan } of selected) {
        if (!withDynos.has(app.id)) problems.push({ where: `${app.team?.name ?? ''}/${app.space?.name ?? ''}`, app: app.name, reason: `no ${plan.processType} dynos` })
      }
      return { dynos, apps, problems }
    },
  }
}
