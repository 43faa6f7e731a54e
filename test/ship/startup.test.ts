/**
 * Two-stage start-up (src/main.ts + src/boot.ts): with `$PORT` set, the binary listens before the
 * configuration is validated and answers only `/-/healthy` until the boot is done. Checked here:
 * when that early listening is allowed, that an invalid configuration still ends the process with
 * exit code 2 and one line per problem, and that the socket ends up where `server.address` says,
 * even when the configuration names it in a way the cheap text test cannot see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canListenEarly, DEFAULT_ADDRESS } from '../../src/cli.ts'
import { serverSchema } from '../../src/config/schema.ts'
import { freePort } from '../support/e2e.ts'
import { spawnSimulator } from '../support/sim-process.ts'
import { binaryMissing, isolatedBinary, runIsolated, startServer, waitForStatus, webShopConfig } from './support.ts'

describe('canListenEarly', () => {
  it('needs $PORT and a configuration text that cannot set server.address', () => {
    expect(canListenEarly({ PORT: '8080' }, 'cf: {}\n')).toBe(true)
    expect(canListenEarly({}, 'cf: {}\n')).toBe(false)
    expect(canListenEarly({ PORT: '' }, 'cf: {}\n')).toBe(false)
    expect(canListenEarly({ PORT: '8080' }, undefined)).toBe(false)
    expect(canListenEarly({ PORT: '8080' }, 'server:\n  address: 127.0.0.1\n')).toBe(false)
  })

  it('binds early where the configuration binds by default', () => {
    expect(serverSchema.parse({}).address).toBe(DEFAULT_ADDRESS)
  })
})

const skip = binaryMissing()

describe.skipIf(skip)('the binary listening before its configuration is validated', () => {
  let box: ReturnType<typeof isolatedBinary>
  let sim: Awaited<ReturnType<typeof spawnSimulator>>
  beforeAll(async () => {
    box = isolatedBinary()
    sim = await spawnSimulator()
  })
  afterAll(async () => {
    await sim?.stop()
    box?.cleanup()
  })

  it('still stops with exit code 2 and one line per problem', async () => {
    const bad = 'cf:\n  api_host: 12\npromregator:\n  targets:\n    - orgName: 12\n'
    const run = runIsolated(box.dir, box.binary, [], { PORT: String(await freePort()), PROMREGATOR_CONFIG_YAML: bad })
    expect(run.status).toBe(2)
    expect(run.stderr.trim().split('\n')).toEqual([
      'promregator: cf.api_host: expected a string, got number 12',
      'promregator: promregator.targets[0].orgName: expected a string, got number 12',
    ])
  })

  it('moves the socket to server.address when an escaped key hid it from the text test', async () => {
    // "addr\x65ss" is `address` to YAML but not to a substring search: the binary listens early on
    // 0.0.0.0, then rebinds to 127.0.0.1 once the configuration says so.
    const config = `${webShopConfig(sim.info)}server:\n  "addr\\x65ss": 127.0.0.1\n`
    expect(config).not.toContain('address')
    const server = await startServer(box.binary, [], { cwd: box.dir, isolated: true, env: { PORT: '0', PROMREGATOR_CONFIG_YAML: config } })
    try {
      await waitForStatus(`${server.base}/-/ready`)
      const sockets = await import('node:fs').then((fs) => fs.readFileSync(`/proc/${server.child.pid}/net/tcp`, 'utf8'))
      const listening = sockets
        .split('\n')
        .slice(1)
        .map((line) => line.trim().split(/\s+/))
        .filter((f) => f[3] === '0A' && Number.parseInt(f[1]!.split(':')[1]!, 16) === server.port)
        .map((f) => f[1]!.split(':')[0])
      // 0100007F is 127.0.0.1 in /proc's little-endian hex; 00000000 would be 0.0.0.0.
      expect(listening).toEqual(['0100007F'])
    } finally {
      await server.stop()
    }
  })
})
