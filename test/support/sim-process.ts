/**
 * @module test/support/sim-process
 * Runs the simulator CLI as its own process (under Bun, as the demo does) and the product's
 * configuration that points at it. For tests of the real binary and for the demo.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { terminate } from './e2e.ts'
import { simulatorYaml } from './sim-config.ts'

/** The JSON line the simulator CLI prints once listening. */
export interface SimInfo {
  apiUrl: string
  uaaUrl: string
  proxyUrl: string
  username: string
  password: string
  apps: Array<{ org: string; space: string; name: string; guid: string; instances: number; internal: boolean; state: string; instanceStates: string[]; metricsPath: string; basicAuth: boolean; routes: string[] }>
  /** With `--heroku`: the simulated Heroku account. */
  heroku?: {
    apiUrl: string
    /** Private DNS of the space; every other host goes on to the gorouter. */
    proxyUrl: string
    token: string
    apps: Array<{ id: string; name: string; team: string; space: string; dynos: Array<{ name: string; state: string }> }>
  }
}

export const BUN = new URL('../../node_modules/.bin/bun', import.meta.url).pathname
const CLI = new URL('./simulator/cli.ts', import.meta.url).pathname

/** Starts `bun test/support/simulator/cli.ts` and waits for its JSON line. */
export async function spawnSimulator(args: string[] = []): Promise<{ info: SimInfo; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(BUN, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! })
    rl.once('line', resolve)
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}: ${stderr}`)))
    setTimeout(() => reject(new Error(`simulator did not start within 15 s: ${stderr}`)), 15_000).unref()
  })
  const info = JSON.parse(line) as SimInfo
  return { info, child, stop: () => terminate(child) }
}

/** Configuration for the demo landscape (see simulator/landscapes.ts), scraping through the simulated gorouter. */
export function demoConfigYaml(info: Pick<SimInfo, 'apiUrl' | 'proxyUrl' | 'username' | 'password'>, extra = ''): string {
  return `# Generated for the simulated foundation of the demo.
${simulatorYaml(info)}${demoTargetsYaml()}${extra}`
}

/**
 * Configuration for the demo foundation and the demo Heroku account side by side (`--heroku`): two
 * named platform entries (`sim-cf`, `sim-heroku`), every target naming its own, scrapes through the
 * Heroku private-DNS proxy, which passes other hosts on to the gorouter.
 */
export function combinedDemoConfigYaml(info: SimInfo, extra = ''): string {
  const heroku = info.heroku
  if (!heroku) throw new Error('the simulator runs without --heroku')
  const proxy = new URL(heroku.proxyUrl)
  return `# Generated for the simulated foundation and Heroku account of the demo.
cf:
  - name: sim-cf
    api_host: ${info.apiUrl}
    username: ${info.username}
    password: ${info.password}
heroku:
  - name: sim-heroku
    api_url: ${heroku.apiUrl}
    token: ${heroku.token}
promregator:
  scraping:
    proxy: { host: ${proxy.hostname}, port: ${proxy.port} }
    proxyInternalRoutes: true
${demoTargetsYaml('foundation: sim-cf, ')}    - { foundation: sim-heroku, teamName: acme, spaceRegex: "acme-.*", applicationRegex: "orders.*" }
    - { foundation: sim-heroku, teamName: acme, spaceName: acme-prod, applicationName: search, processType: worker }
${extra}`
}

/** The demo's refresh interval, authenticator and Cloud Foundry targets (`promregator:` lines), each target starting with `prefix`. */
function demoTargetsYaml(prefix = ''): string {
  return `  discovery:
    refreshInterval: 30
  targetAuthenticators:
    - id: billing-basic
      type: basic
      basic: { username: metrics, password: metrics-secret }
  targets:
    - { ${prefix}orgName: acme, spaceName: dev, protocol: http }
    - { ${prefix}orgName: acme, spaceName: prod, applicationName: billing, protocol: http, authenticatorId: billing-basic }
    - { ${prefix}orgName: acme, spaceName: prod, applicationName: catalog, protocol: http, path: /actuator/prometheus }
    - { ${prefix}orgName: globex, spaceName: tools, applicationRegex: ".*", protocol: http }
`
}
