/**
 * @module test/support/forward-proxy
 * A tiny recording HTTP forward proxy (CONNECT tunnels, as undici's ProxyAgent sends them, and
 * absolute-form requests, as Bun's fetch sends them for http:// URLs), so a test can prove
 * which traffic went through which proxy.
 */
import { createServer, request as httpRequest, type Server } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'

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
  const sockets = new Set<Socket>()
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
    const colon = authority.lastIndexOf(':')
    const upstream = connect(Number(authority.slice(colon + 1)), authority.slice(0, colon), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
    client.on('close', () => upstream.destroy())
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
