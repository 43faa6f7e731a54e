/**
 * The binary's own limits on what a client may send (src/main.ts): headers above 16 KiB get 431,
 * a body above 64 KiB gets 413 or the connection closed before it is read, a request framed
 * ambiguously (`Content-Length` with `Transfer-Encoding`, two lengths) gets 400 and the request
 * hidden behind the framing never reaches a target. bench/hostile.ts measures these under load.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BINARY } from '../support/requirements.ts'
import { simulatorYaml } from '../support/sim-config.ts'
import { oneSpace, startSimulator, type Simulator } from '../support/simulator/index.ts'
import { binaryMissing, startServer, waitForStatus, type RunningServer } from './support.ts'

const skip = binaryMissing()

/** Writes `request` on a new connection and returns every status line's code read until the server closes or 1.5 s pass. */
function send(port: number, request: string | Buffer): Promise<{ statuses: number[]; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    let closed = false
    const done = () => {
      socket.destroy()
      resolve({ statuses: [...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1])), closed })
    }
    const timer = setTimeout(done, 1500)
    socket.on('data', (d) => (received += d.toString('latin1')))
    socket.on('error', () => undefined)
    socket.on('close', () => {
      closed = true
      clearTimeout(timer)
      done()
    })
    socket.write(request)
  })
}

describe.skipIf(skip !== undefined)('what a client may send the binary', () => {
  let sim: Simulator
  let product: RunningServer
  let dir: string
  let target: string

  beforeAll(async () => {
    sim = await startSimulator(oneSpace('org', 'dev', [{ name: 'shop', instances: 1, routes: [{ host: 'shop' }] }]))
    dir = mkdtempSync(join(tmpdir(), 'promregator-limits-'))
    writeFileSync(join(dir, 'promregator.yml'), `${simulatorYaml(sim)}  targets:\n    - { orgName: org, spaceName: dev, protocol: http }\n`)
    product = await startServer(BINARY, ['--config', join(dir, 'promregator.yml')], { cwd: dir, env: { PORT: '0' } })
    await waitForStatus(`${product.base}/-/ready`)
    target = `/singleTargetMetrics/${sim.app('shop').guid}/0`
  }, 60_000)

  afterAll(async () => {
    await product?.stop()
    await sim?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const scrapes = () => sim.routerRequests().length

  it('serves the target it is asked for on an ordinary request (the baseline of the cases below)', async () => {
    const before = scrapes()
    expect((await send(product.port, `GET ${target} HTTP/1.1\r\nHost: p\r\nConnection: close\r\n\r\n`)).statuses).toEqual([200])
    expect(scrapes()).toBe(before + 1)
  })

  it('answers 431 to headers above 16 KiB', async () => {
    const result = await send(product.port, `GET ${target} HTTP/1.1\r\nHost: p\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`)
    expect(result.statuses).toEqual([431])
  })

  it('does not take a body above 64 KiB', async () => {
    const body = 'a'.repeat(65 * 1024)
    const result = await send(product.port, `POST /cache/invalidate HTTP/1.1\r\nHost: p\r\nContent-Length: ${body.length}\r\n\r\n${body}`)
    expect(result.statuses.every((s) => s === 413)).toBe(true)
    expect(result.closed).toBe(true)
    // Just under the limit the request is read and routed (no POST route: 404).
    const small = 'a'.repeat(1024)
    expect((await send(product.port, `POST /cache/invalidate HTTP/1.1\r\nHost: p\r\nContent-Length: ${small.length}\r\nConnection: close\r\n\r\n${small}`)).statuses).toEqual([404])
  })

  it('refuses ambiguous framing, and the request hidden behind it reaches no target', async () => {
    const hidden = `GET ${target} HTTP/1.1\r\nHost: p\r\n\r\n`
    const chunked = `0\r\n\r\n${hidden}`
    const before = scrapes()
    for (const request of [
      `POST /-/healthy HTTP/1.1\r\nHost: p\r\nContent-Length: ${chunked.length}\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`,
      `POST /-/healthy HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n${chunked}`,
      `POST /-/healthy HTTP/1.1\r\nHost: p\r\nContent-Length: 0\r\nContent-Length: ${hidden.length}\r\n\r\n${hidden}`,
    ]) {
      expect((await send(product.port, request)).statuses).toEqual([400])
    }
    expect(scrapes()).toBe(before)
  })
})
