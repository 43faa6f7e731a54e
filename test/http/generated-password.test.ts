/**
 * The real process with inbound BASIC and no password configured: it prints a generated
 * password exactly once at start, that password is the one that works, and it appears nowhere
 * else in the output.
 */
import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { missing } from '../support/requirements.ts'
import { simConfig } from '../support/sim-config.ts'
import { BUN } from '../support/sim-process.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { basic } from './harness.ts'
import { startPromregator } from './promregator-process.ts'

let sim: Simulator | undefined
const skip = missing([{ name: 'bun', present: existsSync(BUN), hint: 'npm install (the bun package)' }])

beforeAll(async () => {
  sim = await startSimulator(oneSpace('acme', 'dev', [{ name: 'web', instances: 1, routes: [{ host: 'web' }] }]))
})
afterAll(() => sim?.close())

describe.skipIf(skip)('generated inbound password', () => {
  it('is printed once and is the one that works', async () => {
    const run = await startPromregator(simConfig(sim!, '  metrics: { auth: BASIC }\n  targets:\n    - { orgName: acme, spaceName: dev, applicationName: web, protocol: http }'))
    let password = ''
    try {
      await run.waitFor(/generated password/)
      password = /generated password for user 'promregator': (\S+)/.exec(run.output())![1]!
      expect(password).toMatch(/^[0-9a-f-]{36}$/)
      const base = `http://127.0.0.1:${run.port}`
      expect((await fetch(`${base}/promregatorMetrics`)).status).toBe(401)
      expect((await fetch(`${base}/promregatorMetrics`, { headers: { authorization: basic('promregator', 'nope') } })).status).toBe(401)
      expect((await fetch(`${base}/promregatorMetrics`, { headers: { authorization: basic('promregator', password) } })).status).toBe(200)
      expect((await fetch(`${base}/discovery`)).status).toBe(200) // other groups stay NONE
    } finally {
      await run.stop()
    }
    expect(run.output().split(password)).toHaveLength(2) // exactly one occurrence
  }, 30_000)
})
