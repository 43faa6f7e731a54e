/**
 * @module test/scrape/servers
 * Small real servers that misbehave the way app instances do (endless or trickling bodies, gzip,
 * redirects, odd content types, TLS), with what they saw and wrote recorded, so the scrape tests
 * can assert on byte counts and requests instead of on time.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import type { ScrapeTarget } from '../../src/model/target.ts'

export const METRICS_BODY = '# HELP up_test A test gauge.\n# TYPE up_test gauge\nup_test 1\n'
export const TEXT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

export interface SeenRequest {
  method: string
  path: string
  headers: IncomingMessage['headers']
}

export interface TestServer {
  url: string
  port: number
  requests: SeenRequest[]
  /** Bytes of body written per response, keyed by request number (0-based). */
  written: number[]
  /** Resolves when the connection of request `n` is closed (by either side). */
  closed(n: number): Promise<void>
  close(): Promise<void>
}

export type Handler = (req: IncomingMessage, res: ServerResponse, count: (bytes: number) => void) => void

/** Starts a server on 127.0.0.1; `tls` makes it HTTPS. */
export async function startServer(handler: Handler, tls?: { cert: string; key: string }): Promise<TestServer> {
  const requests: SeenRequest[] = []
  const written: number[] = []
  const closings: Promise<void>[] = []
  const sockets = new Set<Socket>()
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const n = requests.length
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers })
    written[n] = 0
    closings[n] = new Promise((resolve) => res.once('close', () => resolve()))
    handler(req, res, (bytes) => {
      written[n] = (written[n] ?? 0) + bytes
    })
  }
  const server: Server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, onRequest) : createHttpServer(onRequest)
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('tlsClientError', () => {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    written,
    closed: (n) => closings[n] ?? Promise.reject(new Error(`no request ${n}`)),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Writes `chunk` again and again, honouring backpressure, until the client goes away. */
export function writeForever(res: ServerResponse, chunk: Buffer, count: (bytes: number) => void): void {
  const pump = () => {
    while (!res.destroyed) {
      count(chunk.length)
      if (!res.write(chunk)) return void res.once('drain', pump)
    }
  }
  res.once('close', () => res.off('drain', pump))
  pump()
}

/** Writes `chunk` every `everyMs` until the client goes away. */
export function trickle(res: ServerResponse, chunk: Buffer, everyMs: number, count: (bytes: number) => void): void {
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer)
    count(chunk.length)
    res.write(chunk)
  }, everyMs)
  res.once('close', () => clearInterval(timer))
}

/** A scrape target pointing at `url`, as routing would build it. */
export function targetAt(url: string, overrides: Partial<ScrapeTarget> = {}): ScrapeTarget {
  const appGuid = '6f2d0e59-3c0c-4a3b-9a53-3c7d5e2f9a10'
  return {
    id: `${appGuid}:0`,
    url,
    headers: {},
    labels: { org_name: 'org', space_name: 'space', app_name: 'app', cf_instance_id: `${appGuid}:0`, cf_instance_number: '0' },
    discoveryLabels: {},
    display: { platform: '', owner: 'org', space: 'space', app: 'app', instance: '0', route: new URL(url).host, network: 'internal' },
    ...overrides,
  }
}
