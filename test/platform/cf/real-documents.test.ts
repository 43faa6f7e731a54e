/**
 * The Cloud Controller's own example documents (../shared/reference/cf-real/, rendered from its API
 * docs) are what the product reads and what the simulator must look like: every one is accepted by
 * the product's response schemas, and the simulator answers each kind of resource with the same
 * keys — every key all real examples of the kind have (unless the value is null on one side, as
 * relationships and optional sections may be), and no key none of them has.
 */
import { readdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { appSchema, domainSchema, organizationSchema, paginationSchema, processSchema, rootSchema, routeSchema, spaceSchema } from '../../../src/platform/cf/resources.ts'
import { readSharedJson, SHARED, sharedMissing } from '../../support/shared.ts'
import { demoLandscape, startSimulator, type Simulator } from '../../support/simulator/index.ts'

const DIR = 'reference/cf-real/'
const skip = sharedMissing(DIR)

type Json = Record<string, unknown>

/** The real examples of each kind of resource the product reads, its schema and where the simulator serves it. */
const KINDS: Record<string, { files: string[]; schema?: z.ZodType; simPath: string }> = {
  root: { files: ['root.global_root.json'], schema: rootSchema, simPath: '/' },
  organization: { files: ['organizations.organization.json', 'organizations.paginated_list_of_organizations.json'], schema: organizationSchema, simPath: '/v3/organizations' },
  space: { files: ['spaces.space.json', 'spaces.paginated_list_of_spaces.json'], schema: spaceSchema, simPath: '/v3/spaces' },
  app: { files: ['apps.single_app.json', 'apps.app_with_state.json', 'apps.paginated_list_of_apps.json'], schema: appSchema, simPath: '/v3/apps' },
  domain: { files: ['domains.single_domain.json', 'domains.paginated_list_of_domains.json'], schema: domainSchema, simPath: '/v3/domains' },
  route: { files: ['routes.single_route.json', 'routes.paginated_list_of_routes.json'], schema: routeSchema, simPath: '/v3/routes' },
  process: { files: ['processes.single_process.json', 'processes.paginated_list_of_processes.json'], schema: processSchema, simPath: '/v3/processes' },
  'process stats': { files: ['processes.list_of_process_stats.json'], simPath: '/v3/processes/{guid}/stats' },
}

/** Every key path of a document (`a.b`, `a[].b`) with whether its value is null; free-form maps are leaves. */
function shape(value: unknown, prefix = '', out = new Map<string, boolean>()): Map<string, boolean> {
  if (Array.isArray(value)) for (const element of value) shape(element, `${prefix}[]`, out)
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const path = prefix === '' ? key : `${prefix}.${key}`
      out.set(path, (out.get(path) ?? false) || child === null)
      if (!['labels', 'annotations'].includes(key)) shape(child, path, out)
    }
  }
  return out
}

/** The resources of a document: its `resources` when it is a list, else the document itself. */
const resourcesOf = (doc: Json): Json[] => (Array.isArray(doc.resources) ? (doc.resources as Json[]) : [doc])

/** True when `path` or one of its ancestors is null in `other` (a null relationship has no `data.guid`). */
function underNull(path: string, other: Map<string, boolean>): boolean {
  const parts = path.split('.')
  for (let i = parts.length; i > 0; i--) if (other.get(parts.slice(0, i).join('.')) === true) return true
  return false
}

describe.skipIf(skip !== undefined)('the Cloud Controller\'s example documents', () => {
  let sim: Simulator
  let token: string
  const simGet = async (path: string): Promise<Json> => (await fetch(`${sim.apiUrl}${path}`, { headers: { authorization: `bearer ${token}` } })).json() as Promise<Json>

  beforeAll(async () => {
    sim = await startSimulator(demoLandscape())
    token = sim.issueToken()
  })
  afterAll(() => sim?.close())

  it('are all here (the test names every file it reads)', () => {
    const files = readdirSync(`${SHARED}${DIR}`).filter((f) => f.endsWith('.json'))
    const read = Object.values(KINDS).flatMap((k) => k.files)
    expect(read.every((f) => files.includes(f))).toBe(true)
  })

  it.each(Object.entries(KINDS).filter(([, k]) => k.schema))('are accepted by the product\'s schema: %s', (_, kind) => {
    for (const file of kind.files) {
      const doc = readSharedJson(`${DIR}${file}`) as Json
      if (Array.isArray(doc.resources)) expect(paginationSchema.safeParse(doc.pagination).success, `${file} pagination`).toBe(true)
      for (const resource of resourcesOf(doc)) {
        const parsed = kind.schema!.safeParse(resource)
        expect(parsed.success, `${file}: ${parsed.error?.message}`).toBe(true)
      }
    }
  })

  it.each(Object.keys(KINDS))('match the simulator\'s answers key for key: %s', async (name) => {
    const kind = KINDS[name]!
    const shapes = kind.files.flatMap((file) => resourcesOf(readSharedJson(`${DIR}${file}`) as Json).map((r) => shape(r)))
    const allowed = new Map<string, boolean>()
    for (const s of shapes) for (const [path, isNull] of s) allowed.set(path, (allowed.get(path) ?? false) || isNull)
    const required = [...allowed.keys()].filter((path) => shapes.every((s) => s.has(path) || underNull(path, s)))
    let path = kind.simPath
    if (path.includes('{guid}')) path = path.replace('{guid}', (resourcesOf(await simGet('/v3/processes'))[0] as { guid: string }).guid)
    const answer = await simGet(path)
    for (const resource of resourcesOf(answer).slice(0, 20)) {
      const ours = shape(resource)
      expect(required.filter((p) => !ours.has(p) && !underNull(p, ours)), `keys the simulator's ${name} lacks`).toEqual([])
      expect([...ours.keys()].filter((p) => !allowed.has(p) && !underNull(p, allowed)), `keys of the simulator's ${name} that no real ${name} has`).toEqual([])
    }
    if (Array.isArray(answer.resources)) {
      const realPagination = shape((readSharedJson(`${DIR}${kind.files.at(-1)}`) as Json).pagination)
      const ours = shape(answer.pagination)
      expect([...realPagination.keys()].filter((p) => !ours.has(p) && !underNull(p, ours))).toEqual([])
    }
  })
})
