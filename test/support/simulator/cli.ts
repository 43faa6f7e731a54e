/**
 * @module simulator/cli
 * Command line for the demo and the end-to-end test:
 *   node_modules/.bin/bun test/support/simulator/cli.ts [--landscape file.yaml|json]
 *     [--api-port N] [--uaa-port N] [--proxy-port N] [--big N] [--instances-per-app N]
 *     [--token-lifetime S] [--latency MS] [--heroku]
 * Without a file it serves the demo landscape (or `bigLandscape` with --big); with --heroku also the
 * demo's Heroku account, whose private-DNS proxy (`heroku.proxyUrl`) passes other hosts to the gorouter. Once listening it
 * prints ONE JSON line on stdout (URLs, credentials, apps) and runs until SIGTERM/SIGINT.
 */
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { startHerokuSimulator } from '../heroku/index.ts'
import { demoHerokuLandscape } from '../heroku/landscape.ts'
import { bigLandscape, demoLandscape, startSimulator, type Landscape, type SimOptions } from './index.ts'

function flagValue(args: string[], name: string): string | undefined {
  const at = args.indexOf(name)
  if (at !== -1) return args[at + 1]
  return args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1)
}

function numberFlag(args: string[], name: string): number | undefined {
  const value = flagValue(args, name)
  if (value === undefined) return undefined
  const parsed = Number(value)
  if (!Number.isFinite(parsed)) throw new Error(`${name} needs a number, got '${value}'`)
  return parsed
}

function loadLandscape(args: string[]): Landscape {
  const file = flagValue(args, '--landscape')
  if (file !== undefined) {
    const text = readFileSync(file, 'utf8')
    return (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as Landscape
  }
  const big = numberFlag(args, '--big')
  if (big !== undefined) return bigLandscape({ apps: big, instancesPerApp: numberFlag(args, '--instances-per-app') ?? 1 })
  return demoLandscape()
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const options: SimOptions = {
    apiPort: numberFlag(args, '--api-port'),
    uaaPort: numberFlag(args, '--uaa-port'),
    proxyPort: numberFlag(args, '--proxy-port'),
    tokenLifetimeSeconds: numberFlag(args, '--token-lifetime'),
    latencyMs: numberFlag(args, '--latency'),
  }
  const sim = await startSimulator(loadLandscape(args), options)
  const apps = sim.apps().map((a) => {
    const config = sim.state.apps.get(a.guid)?.config
    return {
      org: a.org,
      space: a.space,
      name: a.name,
      guid: a.guid,
      instances: a.instances,
      internal: a.internal,
      state: a.state,
      instanceStates: a.instanceStates,
      metricsPath: config?.metricsPath ?? '/metrics',
      basicAuth: config?.basicAuth !== undefined,
      routes: a.routes.map((r) => r.url),
    }
  })
  // --heroku: a Heroku account beside the foundation; its private-DNS proxy passes every other host on to the gorouter.
  const heroku = args.includes('--heroku') ? await startHerokuSimulator(demoHerokuLandscape(), { fallbackProxy: sim.proxyUrl }) : undefined
  const herokuInfo = heroku && {
    apiUrl: heroku.apiUrl,
    proxyUrl: heroku.proxyUrl,
    token: heroku.token,
    apps: heroku.state.apps.map((a) => ({ id: a.id, name: a.name, team: a.team.name, space: a.space?.name ?? '', dynos: a.dynos.map((d) => ({ name: `${d.type}.${d.number}`, state: d.state })) })),
  }
  process.stdout.write(`${JSON.stringify({ apiUrl: sim.apiUrl, uaaUrl: sim.uaaUrl, proxyUrl: sim.proxyUrl, ...sim.credentials, apps, ...(herokuInfo ? { heroku: herokuInfo } : {}) })}\n`)
  const stop = () => {
    void Promise.all([sim.close(), heroku?.close()]).finally(() => process.exit(0))
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

main().catch((error: unknown) => {
  process.stderr.write(`simulator: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
