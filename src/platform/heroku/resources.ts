/**
 * @module platform/heroku/resources
 * The Platform API's resources as far as discovery reads them, checked with zod; unknown fields
 * pass. Space topology is a prototype endpoint: its list of process types is `formation` in the
 * API schema and `formations` in the Heroku CLI's types, so both are accepted.
 */
import { z } from 'zod'

const named = z.object({ id: z.string(), name: z.string() })

export const appSchema = z.object({
  id: z.string(),
  name: z.string(),
  space: z.object({ id: z.string(), name: z.string() }).nullish(),
  team: named.nullish(),
  internal_routing: z.boolean().nullish(),
  /** `cedar` or `fir` (an object with a name; a bare string is read too). */
  generation: z.union([z.object({ name: z.string() }), z.string()]).nullish(),
})
export type HerokuApp = z.infer<typeof appSchema>

export const dynoSchema = z.object({
  id: z.string(),
  /** `web.1`: process type and dyno number. */
  name: z.string(),
  type: z.string(),
  /** `up`, `starting`, `crashed`, `down`, `idle`. */
  state: z.string(),
})
export type HerokuDyno = z.infer<typeof dynoSchema>

const topologyDyno = z.object({ id: z.string().optional(), number: z.number().int(), hostname: z.string().optional() })
const topologyFormation = z.object({ process_type: z.string(), dynos: z.array(topologyDyno).default([]) })

export const topologySchema = z.object({
  apps: z
    .array(
      z
        .object({ id: z.string(), formation: z.array(topologyFormation).optional(), formations: z.array(topologyFormation).optional() })
        .transform(({ id, formation, formations }) => ({ id, formation: formation ?? formations ?? [] })),
    )
    .default([]),
})
export type HerokuTopology = z.infer<typeof topologySchema>

/** The generation's name of an app (`cedar` when the API does not say). */
export function generationOf(app: HerokuApp): string {
  const generation = app.generation
  if (generation === null || generation === undefined) return 'cedar'
  return typeof generation === 'string' ? generation : generation.name
}
