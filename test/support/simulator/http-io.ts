/**
 * @module simulator/http-io
 * Small node:http helpers (send JSON/text and OAuth2 errors, read a body, listen on an ephemeral
 * port, close with all keep-alive sockets, splice a CONNECT tunnel) shared by the simulated servers. Only node:http/node:net APIs that Bun
 * also implements are used, so the simulator runs under both runtimes.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'

/** Writes a JSON body with the given status. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

/** Writes a text body with the given status and content type. */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

/** An OAuth2 error answer (RFC 6749 5.2) as a value: thrown inside a token endpoint, sent by its catch. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description)
  }
}

/**
 * The client of an HTTP Basic client authentication as UAA (and XSUAA) reads it: base64 of
 * `id:secret`, split at the first colon, each part URL-decoded as `application/x-www-form-urlencoded`
 * (RFC 6749 §2.3.1: `+` is a space, `%XX` a byte). Malformed: 401 `invalid_client`.
 */
export function basicClient(header: string): { id: string; secret: string } {
  const match = /^basic\s+(\S+)$/i.exec(header)
  const decoded = match ? Buffer.from(match[1] ?? '', 'base64').toString('utf8') : ''
  const colon = decoded.indexOf(':')
  if (colon === -1) throw new OAuthError(401, 'invalid_client', 'Bad credentials')
  try {
    const formDecode = (text: string) => decodeURIComponent(text.replaceAll('+', ' '))
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) }
  } catch {
    throw new OAuthError(401, 'invalid_client', 'Bad credentials')
  }
}

/** Writes `{ error, error_description }` with the error's status. */
export function sendOAuthError(res: ServerResponse, error: OAuthError, headers: Record<string, string> = {}): void {
  sendJson(res, error.status, { error: error.error, error_description: error.description }, headers)
}

/** Reads a request body as text, refusing more than `limit` bytes. */
export function readBody(req: IncomingMessage, limit = 1_000_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) reject(new Error('body too large'))
      else chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** Resolves after `ms` milliseconds (immediately for 0). */
export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()
}

/** Tracks sockets so close() can end keep-alive connections on runtimes without closeAllConnections. */
export function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  return sockets
}

/** Listens and resolves with the bound port. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

/** Closes a server and destroys its open sockets so close() never waits on keep-alive clients. */
export function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    for (const socket of sockets) socket.destroy()
    const withCloseAll = server as Server & { closeAllConnections?: () => void }
    withCloseAll.closeAllConnections?.()
  })
}

/** Splits `host[:port]` (IPv6 literals not needed here) into a lowercase host and a port. */
export function splitHostPort(authority: string, defaultPort: number): { host: string; port: number } {
  const colon = authority.lastIndexOf(':')
  if (colon === -1) return { host: authority.toLowerCase(), port: defaultPort }
  const port = Number(authority.slice(colon + 1))
  return { host: authority.slice(0, colon).toLowerCase(), port: Number.isInteger(port) ? port : defaultPort }
}

/**
 * Answers a CONNECT on `client` by opening `host:port` and splicing both sockets together once it
 * is connected (`head` is what the client sent after its CONNECT line); a failure or close on one
 * side ends the other. `onConnected` runs before the client hears `200 Connection Established`.
 */
export function openTunnel(client: Socket, head: Buffer, port: number, host: string, onConnected: (upstream: Socket) => void = () => {}): Socket {
  const upstream = connect(port, host, () => {
    onConnected(upstream)
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
    if (head.length > 0) upstream.write(head)
    upstream.pipe(client)
    client.pipe(upstream)
  })
  upstream.on('error', () => client.destroy())
  client.on('error', () => upstream.destroy())
  client.on('close', () => upstream.destroy())
  return upstream
}
