/**
 * @module config/schema-target
 * One entry of `promregator.targets`: which apps to scrape and how to reach them.
 */
import { z } from 'zod'
import { parseLabelSelector } from './label-selector.ts'
import { port, regex } from './schema-common.ts'

export const targetSchema = z.object({
  orgName: z.string().optional().describe('Organization name (case-insensitive). Empty with no `orgRegex`: all orgs.'),
  orgRegex: regex.optional().describe('Regular expression that must match the whole organization name (case-insensitive).'),
  teamName: z.string().optional().describe('Heroku targets: team name (case-insensitive); without it, every app the token can see.'),
  spaceName: z.string().optional().describe('Space name (case-insensitive); on Heroku, the Private Space.'),
  spaceRegex: regex.optional().describe('Regular expression that must match the whole space name (case-insensitive).'),
  applicationName: z.string().optional().describe('Application name (case-insensitive).'),
  applicationRegex: regex.optional().describe('Regular expression that must match the whole application name (case-insensitive).'),
  path: z.string().startsWith('/').default('/metrics').describe('Path of the metrics endpoint of the app.'),
  protocol: z.enum(['http', 'https']).optional().describe('Scheme of the scrapes: default `https` for Cloud Foundry external routes, `http` for Heroku dynos on the private network. (Cloud Foundry internal routes are always `http`.)'),
  processType: z.string().min(1).optional().describe('Heroku targets: the process type whose dynos are scraped (default `web`).'),
  port: port.optional().describe('Heroku targets: port the dynos serve metrics on over the private network (default 8080).'),
  authenticatorId: z.string().optional().describe('Id of an entry in `promregator.targetAuthenticators`; default: the global authenticator.'),
  preferredRouteRegex: z.array(regex).default([]).describe('Route URLs (host[/path]) to prefer, in order; the first full match wins, else the first route. Routes that cannot address one instance (TCP routes, wildcard hosts) are never chosen.'),
  internalRoutePort: port.optional().describe('Port for internal routes; default: the port of the route\'s destination (the port the app listens on, 8080 unless the app says otherwise), else `promregator.defaultInternalRoutePort`.'),
  overrideRouteAndPath: z
    .string()
    .min(1)
    .optional()
    .describe('`host[:port][/path]` to scrape as `<protocol>://<overrideRouteAndPath><path>` instead of the app route (e.g. an auth proxy in front of the app); no `X-CF-APP-INSTANCE` is sent.'),
  labelSelector: z
    .string()
    .trim()
    .min(1)
    .superRefine(checkLabelSelector)
    .optional()
    .describe(
      'Cloud Controller label selector the apps must match: requirements separated by commas, all of which must hold (`key`, `!key`, `key=value`, `key==value`, `key!=value`, `key in (v1,v2)`, `key notin (v1,v2)`; at most 50), e.g. `prometheus-scrape=true,team in (a,b),!legacy`. Checked at start with the Cloud Controller\'s rules for keys and values (an empty value, as in `env=` or `tier in ()`, is valid); passed to the API as `label_selector` without spaces around operators, after commas or inside sets, which the Cloud Controller refuses (a warning at start says when what is sent differs from what is written).',
    ),
  kubernetesAnnotations: z
    .boolean()
    .default(false)
    .describe('Opt-in by annotation: only apps annotated `prometheus.io/scrape: "true"`; `prometheus.io/path` overrides `path`, `prometheus.io/port` the port of internal routes.'),
  foundation: z.string().min(1).optional().describe('Name of the platform entry (of the `cf` or the `heroku` list) the target lives on; required when more than one is configured.'),
})
export type TargetConfig = z.infer<typeof targetSchema>

/** A selector the Cloud Controller would answer with 400 is a configuration problem, not a discovery failure. */
function checkLabelSelector(selector: string, ctx: z.RefinementCtx) {
  if (selector === '') return // `.min(1)` says so
  const parsed = parseLabelSelector(selector)
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `invalid label selector: ${parsed.problem}` })
}
