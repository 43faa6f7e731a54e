/**
 * The compiled binary as users meet it: copied alone into an empty folder and started with
 * `env -i`, it answers --version/--help, rejects a bad configuration with exit code 2 and one
 * key-path line per problem, and serves a simulated foundation when its whole configuration
 * comes from PROMREGATOR_CONFIG_YAML (the `cf set-env` path) and its password from CF_PASSWORD.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import pkg from '../../package.json' with { type: 'json' }
import { spawnSimulator, type SimInfo } from '../support/sim-process.ts'
import { binaryMissing, isolatedBinary, runIsolated, startServer, waitForStatus, webShopConfig, type RunningServer } from './support.ts'

const skip = binaryMissing()

describe.skipIf(skip)('the binary alone in an empty folder with an empty environment', () => {
  let box: ReturnType<typeof isolatedBinary>
  beforeAll(() => {
    box = isolatedBinary()
  })
  afterAll(() => box?.cleanup())

  it('prints the version and the commit it was built from, and leaves the folder as it was', () => {
    const run = runIsolated(box.dir, box.binary, ['--version'])
    expect(run.status).toBe(0)
    const match = /^promregator (\S+) \(commit (\S+)\)\n$/.exec(run.stdout)
    expect(match, run.stdout).not.toBeNull()
    expect(match![1]).toBe(pkg.version)
    expect(match![2]).toMatch(/^[0-9a-f]{7,40}$|^unknown$/)
    if (hasGit()) expect(match![2]).not.toBe('unknown')
    expect(readdirSync(box.dir)).toEqual(['promregator'])
  })

  it('explains its flags and environment variables with --help', () => {
    const run = runIsolated(box.dir, box.binary, ['--help'])
    expect(run.status).toBe(0)
    for (const word of ['--config', '--profile', '--check-config', '--version', '--healthcheck', 'PROMREGATOR_CONFIG_YAML', 'PROMREGATOR_CONFIG', 'PORT', 'CF_PASSWORD']) {
      expect(run.stdout).toContain(word)
    }
  })

  it('stops with exit code 2 and one line per problem, each naming the key', () => {
    writeFileSync(
      join(box.dir, 'bad.yml'),
      'cf:\n  api_host: 12\npromregator:\n  targets:\n    - orgName: 12\n  scraping:\n    connectionTimeout: -1\n',
    )
    const run = runIsolated(box.dir, box.binary, ['--config', 'bad.yml'])
    expect(run.status).toBe(2)
    const lines = run.stderr.trim().split('\n')
    expect(lines).toContain('promregator: cf.api_host: expected a string, got number 12')
    expect(lines).toContain('promregator: promregator.targets[0].orgName: expected a string, got number 12')
    expect(lines.some((l) => l.startsWith('promregator: promregator.scraping.connectionTimeout: '))).toBe(true)
    expect(lines).toHaveLength(3)
  })

  it('stops with exit code 2 when no configuration is given, or the YAML in the environment is broken', () => {
    const none = runIsolated(box.dir, box.binary, [])
    expect(none.status).toBe(2)
    expect(none.stderr).toContain('PROMREGATOR_CONFIG_YAML')
    const broken = runIsolated(box.dir, box.binary, [], { PROMREGATOR_CONFIG_YAML: 'cf: [unclosed' })
    expect(broken.status).toBe(2)
    expect(broken.stderr).toMatch(/^promregator: \$PROMREGATOR_CONFIG_YAML: invalid YAML/)
  })

  it('checks a configuration with --check-config: summary and warnings, exit 0, nothing contacted or opened', () => {
    writeFileSync(
      join(box.dir, 'ok.yml'),
      // An address nothing answers on: a discovery or a listening socket would not end in time.
      // /cache/invalidate behind basic auth: the open-endpoint advice would be a second warning.
      'cf:\n  api_host: http://192.0.2.1:9\n  username: u\npromregator:\n  targets:\n    - { orgName: a, spaceName: b }\n    - { orgName: c }\n  colour: blue\n  cache:\n    invalidate:\n      auth: BASIC\n',
    )
    const before = readdirSync(box.dir).sort()
    const run = runIsolated(box.dir, box.binary, ['--check-config', '--config', 'ok.yml'], { CF_PASSWORD: 'from-env', PORT: '1' })
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toBe('ok.yml: configuration OK; 2 targets on http://192.0.2.1:9\n')
    expect(run.stderr).toBe('promregator: warning: promregator.colour: unknown key, ignored\n')
    expect(readdirSync(box.dir).sort()).toEqual(before)
  })

  it('activates the Spring profiles of --profile in a file of several documents', () => {
    writeFileSync(
      join(box.dir, 'profiles.yml'),
      'cf:\n  api_host: http://192.0.2.1:9\n  username: u\n  password: p\npromregator:\n  cache: { invalidate: { auth: BASIC } }\n  targets: [{ orgName: a }]\n---\nspring.config.activate.on-profile: two\npromregator:\n  targets: [{ orgName: a }, { orgName: b }]\n',
    )
    const plain = runIsolated(box.dir, box.binary, ['--check-config', '--config', 'profiles.yml'])
    expect(plain.stdout).toContain('configuration OK; 1 target')
    const two = runIsolated(box.dir, box.binary, ['--check-config', '--profile', 'two', '--config', 'profiles.yml'])
    expect(two.status).toBe(0)
    expect(two.stdout).toContain('configuration OK; 2 targets')
    expect(two.stderr).toContain('active profiles: two')
  })

  it('reports every problem with --check-config and exits 2, as a start would', () => {
    const yaml = 'cf:\n  api_host: 12\npromregator:\n  targets:\n    - orgName: 12\n'
    const run = runIsolated(box.dir, box.binary, ['--check-config'], { PROMREGATOR_CONFIG_YAML: yaml })
    expect(run.status).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr.trim().split('\n')).toEqual([
      'promregator: cf.api_host: expected a string, got number 12',
      'promregator: promregator.targets[0].orgName: expected a string, got number 12',
    ])
  })

  it('names a missing configuration file', () => {
    const run = runIsolated(box.dir, box.binary, [], { PROMREGATOR_CONFIG: 'nowhere.yml' })
    expect(run.status).toBe(2)
    expect(run.stderr.trim()).toBe('promregator: nowhere.yml: cannot read configuration: file not found')
  })
})

describe.skipIf(skip)('the binary configured from PROMREGATOR_CONFIG_YAML against the simulated foundation', () => {
  let box: ReturnType<typeof isolatedBinary>
  let sim: Awaited<ReturnType<typeof spawnSimulator>>
  let server: RunningServer
  let webShop: SimInfo['apps'][number]

  beforeAll(async () => {
    box = isolatedBinary()
    sim = await spawnSimulator()
    webShop = sim.info.apps.find((a) => a.name === 'web-shop')!
    server = await startServer(box.binary, [], {
      cwd: box.dir,
      isolated: true,
      env: {
        PORT: '0',
        // The password comes from CF_PASSWORD, not from the YAML; the file variable loses to the YAML one.
        PROMREGATOR_CONFIG_YAML: webShopConfig({ ...sim.info, password: undefined }),
        CF_PASSWORD: sim.info.password,
        PROMREGATOR_CONFIG: 'does-not-exist.yml',
      },
    })
  })
  afterAll(async () => {
    await server?.stop()
    await sim?.stop()
    box?.cleanup()
  })

  it('passes the liveness and readiness checks of manifest.yml', async () => {
    const manifest = parseYaml(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8')) as { applications: Record<string, string>[] }
    await waitForStatus(`${server.base}${manifest.applications[0]!['health-check-http-endpoint']}`)
    await waitForStatus(`${server.base}${manifest.applications[0]!['readiness-health-check-http-endpoint']}`)
  })

  it('says where its configuration came from and never prints the password', async () => {
    await waitForStatus(`${server.base}/-/ready`)
    expect(server.stderr()).toMatch(/msg=listening .*config=\$PROMREGATOR_CONFIG_YAML/)
    expect(server.stderr()).not.toContain(sim.info.password)
  })

  it('answers /-/healthy and lists the discovered instances in /discovery', async () => {
    expect((await fetch(`${server.base}/-/healthy`)).status).toBe(200)
    const groups = (await (await waitForStatus(`${server.base}/discovery`)).json()) as { labels: Record<string, string> }[]
    const paths = groups.map((g) => g.labels.__metrics_path__).sort()
    expect(paths).toEqual(
      [0, 1, 2].map((i) => `/singleTargetMetrics/${webShop.guid}/${i}`).concat('/promregatorMetrics').sort(),
    )
  })

  it('scrapes one instance through the simulated gorouter', async () => {
    const response = await fetch(`${server.base}/singleTargetMetrics/${webShop.guid}/2`)
    expect(response.status).toBe(200)
    const body = await response.text()
    expect(body).toMatch(/^promregator_up(\{[^}]*\})? 1$/m)
    // The simulated instance reports its own index: the request reached instance 2 and no other.
    expect(body).toMatch(/^sim_instance_index\{app="web-shop"\} 2$/m)
  })

  it('passes its own --healthcheck while serving, and fails it where nothing listens', () => {
    const ok = runIsolated(box.dir, box.binary, ['--healthcheck'], { PORT: String(server.port) })
    expect(ok.status).toBe(0)
    const closed = runIsolated(box.dir, box.binary, ['--healthcheck'], { PORT: '1' })
    expect(closed.status).toBe(1)
  })

  it('exits 0 on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)))
    server.child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })
})

function hasGit(): boolean {
  try {
    execFileSync('git', ['rev-parse', 'HEAD'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
