/**
 * @module test/support/sim-config
 * Product configuration (YAML) that points at a simulator: the `cf:` login of its Cloud
 * Controller and, where scrapes go through its gorouter, `promregator.scraping.proxy`. Takes the
 * in-process handle (`startSimulator`) as well as the simulator CLI's JSON line (`spawnSimulator`).
 */
import type { Simulator } from './simulator/index.ts'

/** A simulator as the configuration sees it: the handle, or the CLI's line (`password` may be left out). */
export type SimAddress = Pick<Simulator, 'apiUrl' | 'proxyUrl'> & ({ credentials: Simulator['credentials'] } | { username: string; password?: string })

/** The `cf:` block for `sim`; `extra` lines (indented two spaces by the caller) go under it. */
export function cfYaml(sim: SimAddress, extra = ''): string {
  const { username, password } = 'credentials' in sim ? sim.credentials : sim
  return `cf:
  api_host: ${sim.apiUrl}
  username: ${username}
${password === undefined ? '' : `  password: ${password}\n`}${extra === '' ? '' : `${extra}\n`}`
}

/** `cf:` and the opening of `promregator:` that sends scrapes through the simulated gorouter; further `promregator:` lines follow (indented two spaces, `scraping` keys four). */
export function simulatorYaml(sim: SimAddress): string {
  const proxy = new URL(sim.proxyUrl)
  // The simulated gorouter also stands in for the container network's DNS: internal routes go through it too.
  return `${cfYaml(sim)}promregator:
  scraping:
    proxy: { host: ${proxy.hostname}, port: ${proxy.port} }
    proxyInternalRoutes: true
`
}

/** YAML for `sim`: `promregator:` body lines appended (indented by the caller); `scraping` lines replace the default `maxProcessingTime: 3000`; `top` lines follow at the top level. */
export function simConfig(sim: SimAddress, promregatorYaml: string, options: { scraping?: string; top?: string } = {}): string {
  return `
${simulatorYaml(sim)}${options.scraping ?? '    maxProcessingTime: 3000'}
${promregatorYaml}
${options.top ?? ''}`
}
