/**
 * @module test/support/forward-proxy
 * A tiny recording HTTP forward proxy (CONNECT tunnels, as undici's ProxyAgent sends them, and
 * absolute-form requests, as Bun's fetch sends them for http:// URLs), so a test can prove
 * which traffic went through which proxy.
 */
import { createServer, request as httpRequest, type Server } from 'node:http'
import type { Socket } from 'node:net'
import { closeServer, listen, openTunnel, splitHostPort, trackSockets } from './simulator/http-io.ts'

export interface ForwardProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  /** Every authority (`host:port`) a client asked to reach, in order. */
  readonly seen: string[]
  close(): Promise<void>
}

/** Starts the proxy on an ephemeral loopback port. */
export async function startForwardProxy(): Promise<ForwardProxy> {
  const seen: string[] = []
  const server: Server = createServer((req, res) => {
    const target = new URL(req.url ?? '/')
    seen.push(target.host)
    const upstream = httpRequest({ host: target.hostname, port: target.port || 80, method: req.method, path: `${target.pathname}${target.search}`, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const authority = req.url ?? ''
    seen.push(authority)
    const { host, port } = splitHostPort(authority, 443)
    openTunnel(client, head, port, host)
  })
  const sockets = trackSockets(server)
  const port = await listen(server, 0, '127.0.0.1')
  return { url: `http://127.0.0.1:${port}`, port, seen, close: () => closeServer(server, sockets) }
}
