/**
 * @module test/simulator/cli
 * The simulator CLI under Bun (as the demo and the end-to-end test run it): it prints one JSON
 * line once listening, serves the demo landscape, and stops on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import { bigLandscape, demoLandscape } from '../support/simulator/index.ts'
import { portOf, rawRequest } from './helpers.ts'

const BUN = 'node_modules/.bin/bun'
let child: ChildProcess | undefined

afterEach(() => {
  child?.kill('SIGTERM')
  child = undefined
})

function firstLine(proc: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! })
    lines.once('line', resolve)
    proc.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)))
  })
}

describe('cli under Bun', () => {
  it('prints its URLs and the demo apps, serves them, and exits on SIGTERM', async () => {
    child = spawn(BUN, ['test/support/simulator/cli.ts'], { stdio: ['ignore', 'pipe', 'inherit'] })
    const info = JSON.parse(await firstLine(child))
    expect(info).toMatchObject({ username: 'admin', password: 'admin-secret' })
    expect(info.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(info.apps.map((a: { name: string }) => a.name)).toContain('inventory')
    expect(info.apps.find((a: { name: string }) => a.name === 'inventory')).toMatchObject({ org: 'globex', space: 'tools', instances: 3, internal: true })

    const v3Info = await fetch(`${info.apiUrl}/v3/info`)
    expect(v3Info.status).toBe(200)
    const shop = info.apps.find((a: { name: string }) => a.name === 'web-shop')
    const scraped = await rawRequest(portOf(info.proxyUrl), 'http://web-shop.apps.sim.localhost/metrics', { 'X-CF-APP-INSTANCE': `${shop.guid}:2` })
    expect(scraped.body).toContain('sim_instance_index{app="web-shop"} 2')

    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    child = undefined
  })
})

describe('landscape builders', () => {
  it('demo landscape has the promised variety', () => {
    const apps = demoLandscape().orgs.flatMap((o) => o.spaces.flatMap((s) => s.apps))
    expect(apps.some((a) => a.state === 'STOPPED')).toBe(true)
    expect(apps.some((a) => a.instanceStates?.includes('CRASHED'))).toBe(true)
    expect(apps.some((a) => a.basicAuth?.username === 'metrics')).toBe(true)
    expect(apps.some((a) => a.routes?.some((r) => r.domain === 'apps.internal'))).toBe(true)
  })

  it('generates 10,000 apps in 100 spaces well under a second', () => {
    const started = performance.now()
    const landscape = bigLandscape({ apps: 10_000, instancesPerApp: 3, spaces: 100 })
    expect(performance.now() - started).toBeLessThan(500)
    const spaces = landscape.orgs.flatMap((o) => o.spaces)
    expect(spaces).toHaveLength(100)
    expect(spaces.reduce((n, s) => n + s.apps.length, 0)).toBe(10_000)
  })
})
