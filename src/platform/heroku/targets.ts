/**
 * @module platform/heroku/targets
 * Turns discovered dynos into scrape targets: `http://<n>.<type>.<app>.app.localspace:<port><path>`
 * over the space's private network, no routing header (each dyno has its own name). Labels say what
 * they are: `team_name`, `space_name`, `app_name` (as on Cloud Foundry), `process_type`,
 * `dyno_name` (`web.1`) and `dyno_number` on samples; `__meta_promregator_target_*` with
 * `spaceName`, `applicationName`, `instanceNumber` (the dyno number) and `instanceId` meaning what
 * they mean for Cloud Foundry, plus `teamName`, `processType`, `dynoName` and `platform` (`heroku`).
 * A dyno that is not `up` stays a target, reported down with its state and never contacted.
 */
import type { TargetConfig } from '../../config/schema.ts'
import type { ScrapeTarget } from '../../model/target.ts'
import type { DiscoveredDyno } from './discover.ts'

/** Port dynos serve metrics on when the target names none: whether `$PORT` is reachable privately is not confirmed. */
export const DEFAULT_DYNO_PORT = 8080

/** The target of one dyno; `entry`: the platform entry's name when targets carry it. */
export function dynoTarget(dyno: DiscoveredDyno, target: TargetConfig, entry: { name: string; labelled: boolean }): ScrapeTarget {
  const dynoName = `${dyno.type}.${dyno.number}`
  const id = `${dyno.app.id}:${dynoName}`
  const foundation: Record<string, string> = entry.labelled ? { foundation: entry.name } : {}
  return {
    id,
    url: `${target.protocol ?? 'http'}://${dyno.hostname}:${target.port ?? DEFAULT_DYNO_PORT}${target.path}`,
    headers: {},
    privateNetwork: true,
    authenticatorId: target.authenticatorId,
    ...(dyno.state === 'up' ? {} : { down: `dyno ${dynoName} is ${dyno.state}` }),
    labels: { team_name: dyno.team, space_name: dyno.space, app_name: dyno.app.name, process_type: dyno.type, dyno_name: dynoName, dyno_number: String(dyno.number), ...foundation },
    discoveryLabels: {
      __meta_promregator_target_platform: 'heroku',
      __meta_promregator_target_teamName: dyno.team,
      __meta_promregator_target_spaceName: dyno.space,
      __meta_promregator_target_applicationName: dyno.app.name,
      __meta_promregator_target_applicationId: dyno.app.id,
      __meta_promregator_target_processType: dyno.type,
      __meta_promregator_target_dynoName: dynoName,
      __meta_promregator_target_instanceNumber: String(dyno.number),
      __meta_promregator_target_instanceId: id,
      ...(entry.labelled ? { __meta_promregator_target_foundation: entry.name } : {}),
    },
    display: { platform: entry.labelled ? entry.name : '', owner: dyno.team, space: dyno.space, app: dyno.app.name, instance: dynoName, route: dyno.hostname, network: 'internal' },
  }
}
