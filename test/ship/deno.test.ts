/**
 * Smoke test of the Deno entry (src/main-deno.ts, the `deno task start` of deno.json): the same
 * source starts under Deno, discovers the simulated foundation and scrapes one instance through
 * the simulated gorouter, which needs Bun's `proxy` fetch option turned into a Deno HTTP client.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { missing } from '../support/requirements.ts'
import { spawnSimulator, type SimInfo } from '../support/sim-process.ts'
import { startServer, waitForStatus, webShopConfig, type RunningServer } from './support.ts'

const root = new URL('../../', import.meta.url).pathname
const DENO = new URL('../../node_modules/.bin/deno', import.meta.url).pathname
const skip = missing([{ name: 'deno', present: existsSync(DENO), hint: 'npm ci installs it from the deno npm package' }])

/** The arguments of the deno.json task, so the test runs exactly what `deno task start` runs. */
function taskArgs(): string[] {
  const config = JSON.parse(readFileSync(`${root}deno.json`, 'utf8')) as { nodeModulesDir: string; tasks: { start: { command: string } } }
  expect(config.nodeModulesDir).toBe('manual')
  const command = config.tasks.start.command
  const args = command.slice(command.indexOf(' run ') + 1).split(/\s+/)
  expect(args.at(-1)).toBe('src/main-deno.ts')
  return args
}

describe.skipIf(skip)('promregator on Deno', () => {
  let sim: Awaited<ReturnType<typeof spawnSimulator>>
  let server: RunningServer
  let webShop: SimInfo['apps'][number]

  beforeAll(async () => {
    sim = await spawnSimulator()
    webShop = sim.info.apps.find((a) => a.name === 'web-shop')!
    server = await startServer(DENO, taskArgs(), {
      cwd: root,
      env: { PORT: '0', DENO_NO_UPDATE_CHECK: '1', PROMREGATOR_CONFIG_YAML: webShopConfig(sim.info) },
    })
  }, 60_000)
  afterAll(async () => {
    await server?.stop()
    await sim?.stop()
  })

  it('checks a configuration with --check-config, as the binary does', () => {
    const env = { ...process.env, DENO_NO_UPDATE_CHECK: '1' }
    const ok = spawnSync(DENO, [...taskArgs(), '--check-config'], { cwd: root, encoding: 'utf8', env: { ...env, PROMREGATOR_CONFIG_YAML: webShopConfig(sim.info) } })
    expect(ok.status, ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/^\$PROMREGATOR_CONFIG_YAML: configuration OK; 1 target on http:\/\/127\.0\.0\.1:\d+\n$/)
    const bad = spawnSync(DENO, [...taskArgs(), '--check-config'], { cwd: root, encoding: 'utf8', env: { ...env, PROMREGATOR_CONFIG_YAML: 'cf:\n  api_host: 12\n  username: u\n  password: p\n' } })
    expect(bad.status).toBe(2)
    expect(bad.stderr.trim()).toBe('promregator: cf.api_host: expected a string, got number 12')
  })

  it('announces itself as the Deno build', () => {
    expect(server.stderr()).toMatch(/msg=listening .*version="promregator [^"]+ \(deno\)"/)
  })

  it('lists the discovered instances in /discovery', async () => {
    await waitForStatus(`${server.base}/-/ready`)
    const groups = (await (await fetch(`${server.base}/discovery`)).json()) as { labels: Record<string, string> }[]
    expect(groups.map((g) => g.labels.__metrics_path__).filter((p) => p?.startsWith('/singleTargetMetrics/')).sort()).toEqual(
      [0, 1, 2].map((i) => `/singleTargetMetrics/${webShop.guid}/${i}`),
    )
  })

  it('scrapes exactly the asked instance through the simulated gorouter', async () => {
    const response = await fetch(`${server.base}/singleTargetMetrics/${webShop.guid}/1`)
    expect(response.status).toBe(200)
    const body = await response.text()
    expect(body).toMatch(/^promregator_up(\{[^}]*\})? 1$/m)
    expect(body).toMatch(/^sim_instance_index\{app="web-shop"\} 1$/m)
  })
})
