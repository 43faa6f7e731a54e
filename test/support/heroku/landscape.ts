/**
 * @module test/support/heroku/landscape
 * What the simulated Heroku account holds: teams, Private Spaces (Cedar or Fir, with or without the
 * prototype topology endpoint), apps inside and outside spaces, and their dynos with states. Plain
 * records built from a test's description; the Platform API and the private DNS stand-in read them.
 */
import { randomUUID } from 'node:crypto'

export type DynoState = 'up' | 'starting' | 'crashed' | 'down' | 'idle'

/** One app as a test describes it. */
export interface SimHerokuApp {
  name: string
  id?: string
  /** Dynos of `processType` by number (1, 2, ...) with their states; default two `up` dynos. */
  dynos?: DynoState[]
  /** Process type of the dynos (default `web`). */
  processType?: string
  /** Port the dynos serve metrics on over the private network (default 8080). */
  port?: number
  /** Only path the dynos answer with metrics (default `/metrics`). */
  metricsPath?: string
  internalRouting?: boolean
}

export interface SimHerokuSpace {
  name: string
  id?: string
  generation?: 'cedar' | 'fir'
  /** Whether `GET /spaces/{space}/topology` answers (it is a prototype endpoint; default true). */
  topology?: boolean
  apps: SimHerokuApp[]
}

export interface SimHerokuTeam {
  name: string
  spaces: SimHerokuSpace[]
  /** Apps of the team in the Common Runtime (no space). */
  apps?: SimHerokuApp[]
}

export interface HerokuLandscape {
  teams: SimHerokuTeam[]
}

export interface DynoRecord {
  id: string
  number: number
  type: string
  state: DynoState
}

export interface AppRecord {
  id: string
  name: string
  team: { id: string; name: string }
  space?: SpaceRecord
  generation: 'cedar' | 'fir'
  internalRouting: boolean
  port: number
  metricsPath: string
  dynos: DynoRecord[]
  createdAt: string
}

export interface SpaceRecord {
  id: string
  name: string
  team: { id: string; name: string }
  generation: 'cedar' | 'fir'
  topology: boolean
}

/** The account's records. */
export interface HerokuState {
  apps: AppRecord[]
  spaces: SpaceRecord[]
  teams: Array<{ id: string; name: string }>
}

let clock = Date.UTC(2026, 0, 1)
const timestamp = () => new Date((clock += 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z')

/** Builds the records of a landscape. */
export function buildState(landscape: HerokuLandscape): HerokuState {
  const state: HerokuState = { apps: [], spaces: [], teams: [] }
  for (const team of landscape.teams) {
    const teamRef = { id: randomUUID(), name: team.name }
    state.teams.push(teamRef)
    const addApp = (app: SimHerokuApp, space: SpaceRecord | undefined) => {
      const type = app.processType ?? 'web'
      state.apps.push({
        id: app.id ?? randomUUID(),
        name: app.name,
        team: teamRef,
        space,
        generation: space?.generation ?? 'cedar',
        internalRouting: app.internalRouting ?? false,
        port: app.port ?? 8080,
        metricsPath: app.metricsPath ?? '/metrics',
        dynos: (app.dynos ?? ['up', 'up']).map((dynoState, i) => ({ id: randomUUID(), number: i + 1, type, state: dynoState })),
        createdAt: timestamp(),
      })
    }
    for (const space of team.spaces) {
      const record: SpaceRecord = { id: space.id ?? randomUUID(), name: space.name, team: teamRef, generation: space.generation ?? 'cedar', topology: space.topology ?? true }
      state.spaces.push(record)
      for (const app of space.apps) addApp(app, record)
    }
    for (const app of team.apps ?? []) addApp(app, undefined)
  }
  return state
}

/**
 * The demo's Heroku account: team `acme` with a Private Space whose topology answers (`orders`:
 * three web dynos, the third crashed and so not in the topology; `search`: one worker dyno) and one
 * whose topology does not (`orders-staging`: one dyno up, one crashed, read app by app).
 */
export function demoHerokuLandscape(): HerokuLandscape {
  return {
    teams: [
      {
        name: 'acme',
        spaces: [
          { name: 'acme-prod', apps: [{ name: 'orders', dynos: ['up', 'up', 'crashed'] }, { name: 'search', processType: 'worker', dynos: ['up'] }] },
          { name: 'acme-staging', topology: false, apps: [{ name: 'orders-staging', dynos: ['up', 'crashed'] }] },
        ],
      },
    ],
  }
}

/** The private DNS name of one dyno. */
export function dynoHost(app: AppRecord, dyno: DynoRecord): string {
  return `${dyno.number}.${dyno.type}.${app.name}.app.localspace`
}
