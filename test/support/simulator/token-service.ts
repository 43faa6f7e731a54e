/**
 * @module simulator/token-service
 * A simulated XSUAA token service for the OAuth2 target authenticators: `POST /oauth/token` with
 * the client-credentials grant, client authentication by Basic header or form fields (plain HTTP
 * endpoint `url`) or by client certificate (mTLS endpoint `certUrl`, when a server certificate is
 * given). Basic client credentials are URL-decoded as UAA does (RFC 6749 §2.3.1). It logs every request, and simulated apps use `accepts()` as their `authorize` check,
 * so tests see which token reached the app and when a new one was fetched.
 */
import { randomBytes } from 'node:crypto'
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { TLSSocket } from 'node:tls'
import { basicClient, closeServer, listen, OAuthError, readBody, sendJson, sendOAuthError, trackSockets } from './http-io.ts'

/** One OAuth2 client of the token service. */
export interface TokenServiceClient {
  id: string
  /** Secret for Basic or form authentication (plain endpoint). */
  secret?: string
  /** Common name of the client certificate that authenticates this client on the mTLS endpoint. */
  certificateCN?: string
  /** Scopes this client may get; a request for others is refused with `invalid_scope`. */
  scopes?: string[]
}

export interface TokenServiceOptions {
  clients: TokenServiceClient[]
  /** `expires_in` of issued tokens (default 43199, as XSUAA). */
  tokenLifetimeSeconds?: number
  /** Server certificate and the CA whose client certificates are trusted; enables `certUrl`. */
  tls?: { cert: string; key: string; ca: string }
}

/** One request to the token endpoint as the service saw it. */
export interface TokenRequestEntry {
  endpoint: 'plain' | 'mtls'
  clientId: string | null
  grantType: string | null
  scope: string | null
  clientAuth: 'basic' | 'form' | 'certificate' | 'none'
  status: number
  /** The issued token, when status is 200. */
  token?: string
}

export interface TokenService {
  /** Token endpoint over plain HTTP (`http://127.0.0.1:<p>/oauth/token`). */
  readonly url: string
  /** Token endpoint that authenticates by client certificate (`https://localhost:<q>/oauth/token`). */
  readonly certUrl: string | undefined
  requests(): TokenRequestEntry[]
  /** Tokens issued so far, oldest first. */
  issued(): string[]
  /** Whether `Authorization: Bearer <t>` carries a token issued here and neither revoked nor expired. */
  accepts(authorization: string | undefined): boolean
  /** Every token issued so far is rejected from now on (as after a key rotation). */
  revokeAll(): void
  setTokenLifetime(seconds: number): void
  /** The next `count` token requests answer 503. */
  failNext(count: number): void
  close(): Promise<void>
}

/** Starts the plain endpoint and, with `tls`, the mTLS endpoint on ephemeral loopback ports. */
export async function startTokenService(options: TokenServiceOptions): Promise<TokenService> {
  let lifetime = options.tokenLifetimeSeconds ?? 43199
  let failures = 0
  const log: TokenRequestEntry[] = []
  const tokens = new Map<string, { expiresAt: number; revoked: boolean }>()

  const authenticate = (req: IncomingMessage, form: URLSearchParams, endpoint: 'plain' | 'mtls'): { client: TokenServiceClient; via: TokenRequestEntry['clientAuth'] } => {
    if (endpoint === 'mtls') {
      const socket = req.socket as Partial<TLSSocket>
      // Bun's server sockets know `authorized` but not the peer certificate: there a trusted
      // certificate authenticates any client that expects one (cn stays undefined).
      const cn = socket.authorized && socket.getPeerCertificate ? socket.getPeerCertificate().subject?.CN : undefined
      const matches = (c: TokenServiceClient) => c.certificateCN !== undefined && (cn === undefined || c.certificateCN === cn)
      const client = socket.authorized ? options.clients.find((c) => c.id === form.get('client_id') && matches(c)) : undefined
      if (!client) throw new OAuthError(401, 'unauthorized', socket.authorized ? `Certificate ${cn} does not authenticate client ${form.get('client_id')}` : 'No trusted client certificate presented')
      return { client, via: 'certificate' }
    }
    const basic = req.headers.authorization === undefined ? undefined : basicClient(req.headers.authorization)
    const [id, secret, via] = basic ? [basic.id, basic.secret, 'basic' as const] : [form.get('client_id'), form.get('client_secret'), 'form' as const]
    const client = options.clients.find((c) => c.id === id && c.secret !== undefined && c.secret === secret)
    if (!client) throw new OAuthError(401, 'unauthorized', 'Bad credentials')
    return { client, via }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse, endpoint: 'plain' | 'mtls') => {
    const form = new URLSearchParams(req.method === 'POST' ? await readBody(req) : '')
    new URL(req.url ?? '/', 'http://x').searchParams.forEach((value, key) => form.has(key) || form.set(key, value))
    const entry: TokenRequestEntry = { endpoint, clientId: form.get('client_id'), grantType: form.get('grant_type'), scope: form.get('scope'), clientAuth: 'none', status: 0 }
    log.push(entry)
    try {
      if (req.method !== 'POST' || !(req.url ?? '').startsWith('/oauth/token')) throw new OAuthError(404, 'not_found', 'Not Found')
      if (failures > 0) {
        failures--
        throw new OAuthError(503, 'temporarily_unavailable', 'Service Unavailable')
      }
      const { client, via } = authenticate(req, form, endpoint)
      entry.clientId = client.id
      entry.clientAuth = via
      if (entry.grantType !== 'client_credentials') throw new OAuthError(400, 'unsupported_grant_type', `Unsupported grant type: ${entry.grantType}`)
      const wanted = (entry.scope ?? '').split(' ').filter(Boolean)
      const unknown = wanted.filter((s) => !(client.scopes ?? []).includes(s))
      if (unknown.length > 0) throw new OAuthError(400, 'invalid_scope', `Invalid scope: ${unknown.join(' ')}`)
      const token = `sim-xsuaa-${randomBytes(12).toString('hex')}`
      tokens.set(token, { expiresAt: Date.now() + lifetime * 1000, revoked: false })
      entry.status = 200
      entry.token = token
      sendJson(res, 200, { access_token: token, token_type: 'bearer', expires_in: lifetime, scope: (wanted.length > 0 ? wanted : (client.scopes ?? [])).join(' '), jti: token.slice(-8) })
    } catch (error) {
      const e = error instanceof OAuthError ? error : new OAuthError(500, 'server_error', (error as Error).message)
      entry.status = e.status
      sendOAuthError(res, e)
    }
  }

  const servers: Server[] = []
  const plain = createHttpServer((req, res) => void handle(req, res, 'plain'))
  servers.push(plain)
  const port = await listen(plain, 0, '127.0.0.1')
  let certUrl: string | undefined
  if (options.tls) {
    // The handshake lets clients without a certificate in, so the answer can be an OAuth2 error, as XSUAA's is.
    const secure = createHttpsServer({ cert: options.tls.cert, key: options.tls.key, ca: options.tls.ca, requestCert: true, rejectUnauthorized: false }, (req, res) => void handle(req, res, 'mtls'))
    servers.push(secure)
    certUrl = `https://localhost:${await listen(secure, 0, '127.0.0.1')}/oauth/token`
  }
  const sockets = servers.map(trackSockets)

  return {
    url: `http://127.0.0.1:${port}/oauth/token`,
    certUrl,
    requests: () => log.map((e) => ({ ...e })),
    issued: () => [...tokens.keys()],
    accepts(authorization) {
      const token = /^bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1]
      const known = token === undefined ? undefined : tokens.get(token)
      return known !== undefined && !known.revoked && Date.now() < known.expiresAt
    },
    revokeAll() {
      for (const token of tokens.values()) token.revoked = true
    },
    setTokenLifetime(seconds) {
      lifetime = seconds
    },
    failNext(count) {
      failures += count
    },
    close: async () => {
      await Promise.all(servers.map((server, i) => closeServer(server, sockets[i] ?? new Set())))
    },
  }
}

