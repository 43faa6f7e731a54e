/**
 * @module platform/cf/resources
 * zod shapes of the Cloud Controller v3 responses we read. Only the fields the
 * pipeline uses are checked; everything else the API sends is ignored, so newer API
 * versions with more fields keep working.
 */
import { z } from 'zod'

const guid = z.string().min(1)
const relation = z.object({ data: z.object({ guid }).nullable() })
const metadata = z
  .object({
    labels: z.record(z.string(), z.string().nullable()).nullish(),
    annotations: z.record(z.string(), z.string().nullable()).nullish(),
  })
  .nullish()

export const rootSchema = z.object({
  links: z.object({
    cloud_controller_v3: z.object({ href: z.string() }).nullish(),
    login: z.object({ href: z.string() }).nullish(),
    uaa: z.object({ href: z.string() }).nullish(),
  }),
})

export const paginationSchema = z.object({
  total_results: z.number().optional(),
  total_pages: z.number().optional(),
  next: z.object({ href: z.string() }).nullish(),
})

export const organizationSchema = z.object({ guid, name: z.string(), metadata })
export const spaceSchema = z.object({
  guid,
  name: z.string(),
  relationships: z.object({ organization: relation }),
  metadata,
})
export const appSchema = z.object({
  guid,
  name: z.string(),
  state: z.string(),
  relationships: z.object({ space: relation }),
  metadata,
})
export const domainSchema = z.object({ guid, name: z.string(), internal: z.boolean().default(false) })
export const routeSchema = z.object({
  guid,
  /** `http`, or `tcp` for a route of a TCP domain (served by the TCP router, not the gorouter). */
  protocol: z.string().default('http'),
  host: z.string().default(''),
  path: z.string().default(''),
  url: z.string(),
  destinations: z
    .array(z.object({ app: z.object({ guid, process: z.object({ type: z.string() }).nullish() }), port: z.number().nullish() }))
    .default([]),
  relationships: z.object({ domain: relation }),
})
export const processSchema = z.object({
  guid,
  type: z.string(),
  created_at: z.string().optional(),
  instances: z.number().int().nonnegative(),
  relationships: z.object({ app: relation }),
})

/** A route service bound to a route: requests to the route pass through the service. */
export const serviceRouteBindingSchema = z.object({
  guid,
  route_service_url: z.string().nullish(),
  relationships: z.object({ route: relation }),
})

export type CfOrganization = z.infer<typeof organizationSchema>
export type CfSpace = z.infer<typeof spaceSchema>
export type CfApp = z.infer<typeof appSchema>
export type CfDomain = z.infer<typeof domainSchema>
export type CfRoute = z.infer<typeof routeSchema>
export type CfProcess = z.infer<typeof processSchema>
export type CfServiceRouteBinding = z.infer<typeof serviceRouteBindingSchema>

/** Labels or annotations without the null values PATCH semantics allow. */
export function stringMap(map: Record<string, string | null> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(map ?? {})) if (value !== null) out[key] = value
  return out
}
