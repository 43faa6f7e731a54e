/**
 * Safe shutdown of the real process (`bun src/main.ts`): on SIGTERM it stops accepting
 * connections, finishes the scrape in flight (the client gets the full answer), and exits 0
 * within Cloud Foundry's 10 s grace period.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { missing } from '../support/requirements.ts'
import { simConfig } from '../support/sim-config.ts'
import { BUN } from '../support/sim-process.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { startPromregator } from './promregator-process.ts'

const SLOW_MS = 3000
let sim: Simulator | undefined
const skip = missing([{ name: 'bun', present: existsSync(BUN), hint: 'npm install (the bun package)' }])

beforeAll(async () => {
  sim = await startSimulator(oneSpace('acme', 'dev', [{ name: 'slow', instances: 1, routes: [{ host: 'slow' }], delayMs: SLOW_MS }]))
})
afterAll(() => sim?.close())

describe.skipIf(skip)('SIGTERM', () => {
  it('finishes the scrape in flight, refuses new connections, then exits 0 within 10 s', async () => {
    const s = sim!
    const run = await startPromregator(simConfig(s, '  targets:\n    - { orgName: acme, spaceName: dev, applicationName: slow, protocol: http }', { scraping: '    maxProcessingTime: 8000\n    socketReadTimeout: 8000\n    connectionTimeout: 8000' }))
    try {
      const base = `http://127.0.0.1:${run.port}`
      await run.waitFor(/discovery refreshed/)
      const guid = s.app('slow').guid
      const inFlight = fetch(`${base}/singleTargetMetrics/${guid}/0`).then(async (r) => ({ status: r.status, body: await r.text() }))
      // Wait until the scrape has reached the instance, so it is truly in flight.
      while (!s.routerRequests().some((r) => JSON.stringify(r).includes(guid))) await new Promise((r) => setTimeout(r, 20))
      const signalledAt = Date.now()
      run.child.kill('SIGTERM')
      await run.waitFor(/shutting down/)
      // The listener is closing: a new request is not served while the old one is still running.
      // Refused once the listener is gone; a connection that raced the close is dropped unanswered.
      const late = await fetch(`${base}/-/healthy`).then(
        (r) => `answered ${r.status}`,
        (e: Error & { cause?: { code?: string } }) => e.cause?.code ?? e.message,
      )
      expect(['ECONNREFUSED', 'UND_ERR_SOCKET', 'ECONNRESET']).toContain(late)
      const answer = await inFlight
      expect(answer.status).toBe(200)
      expect(answer.body).toMatch(/^promregator_up 1$/m)
      const code = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r('still running 10 s after SIGTERM'), 10_000 - (Date.now() - signalledAt)))])
      expect(code).toBe(0)
      expect(run.output()).toMatch(/msg=stopped/)
    } finally {
      await run.stop()
    }
  }, 30_000)
})
