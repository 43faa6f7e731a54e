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
${simulatorYaml(info)}  discovery:
    refreshInterval: 30
  targetAuthenticators:
    - id: billing-basic
      type: basic
      basic: { username: metrics, password: metrics-secret }
  targets:
    - { orgName: acme, spaceName: dev, protocol: http }
    - { orgName: acme, spaceName: prod, applicationName: billing, protocol: http, authenticatorId: billing-basic }
    - { orgName: acme, spaceName: prod, applicationName: catalog, protocol: http, path: /actuator/prometheus }
    - { orgName: globex, spaceName: tools, applicationRegex: ".*", protocol: http }
${extra}`
}
