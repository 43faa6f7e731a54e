/**
 * @module simulator/uaa
 * The simulated UAA token endpoint `POST /oauth/token`: password grant (client `cf` with empty
 * secret by Basic `Y2Y6` or `client_id` form field), client_credentials (Basic or form client auth),
 * refresh_token; OAuth2-style errors as the reference lists them. Every call counts per grant type.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ApiHandler } from './api-server.ts'
import { basicClient, OAuthError, readBody, sendJson, sendOAuthError } from './http-io.ts'
import type { SimRecorder } from './logs.ts'
import type { TokenStore, TokenSubject } from './tokens.ts'
import type { Landscape } from './types.ts'

/** The CLI's client: id `cf`, empty secret, password + refresh_token grants. */
const CF_CLIENT_ID = 'cf'

interface ClientCredentials {
  id: string
  secret: string
}

function clientFrom(req: IncomingMessage, form: URLSearchParams): ClientCredentials {
  const header = req.headers.authorization
  if (header !== undefined) return basicClient(header)
  const id = form.get('client_id')
  if (id === null) throw new OAuthError(401, 'unauthorized', 'Full authentication is required to access this resource')
  return { id, secret: form.get('client_secret') ?? '' }
}

/** Builds the UAA request handler for a landscape's users and clients. */
export function createUaaHandler(landscape: Landscape, tokens: TokenStore, recorder: SimRecorder, uaaUrl: () => string): ApiHandler {
  const users = landscape.users ?? [{ username: 'admin', password: 'admin-secret' }]
  const clients = landscape.clients ?? []

  function authenticateClient(client: ClientCredentials): void {
    const known = client.id === CF_CLIENT_ID ? client.secret === '' : clients.some((c) => c.id === client.id && c.secret === client.secret)
    if (!known) throw new OAuthError(401, 'invalid_client', 'Bad credentials')
  }

  function grant(grantType: string | null, client: ClientCredentials, form: URLSearchParams): TokenSubject {
    switch (grantType) {
      case 'password': {
        const ok = users.some((u) => u.username === form.get('username') && u.password === form.get('password'))
        if (!ok) throw new OAuthError(401, 'unauthorized', 'Bad credentials')
        return { clientId: client.id, grantType: 'password', username: form.get('username') ?? '' }
      }
      case 'client_credentials':
        if (client.id === CF_CLIENT_ID) throw new OAuthError(401, 'invalid_client', 'Unauthorized grant type: client_credentials')
        return { clientId: client.id, grantType: 'client_credentials' }
      case 'refresh_token': {
        const refreshToken = form.get('refresh_token')
        if (!refreshToken) throw new OAuthError(400, 'invalid_request', 'Missing refresh_token')
        const subject = tokens.checkRefresh(refreshToken)
        if (subject === 'invalid') throw new OAuthError(401, 'invalid_token', `Invalid refresh token: ${refreshToken.slice(-6)}`)
        if (subject === 'expired') throw new OAuthError(401, 'invalid_token', `Invalid refresh token (expired): ${refreshToken.slice(-6)}`)
        if (subject.clientId !== client.id) throw new OAuthError(401, 'invalid_token', 'Invalid refresh token: client mismatch')
        return subject
      }
      case null:
        throw new OAuthError(400, 'invalid_request', 'A grant type must be provided.')
      default:
        throw new OAuthError(400, 'unsupported_grant_type', `Unsupported grant type: ${grantType}`)
    }
  }

  async function token(req: IncomingMessage, res: ServerResponse, notes: { grantType?: string }): Promise<void> {
    const form = new URLSearchParams(await readBody(req))
    const grantType = form.get('grant_type')
    notes.grantType = grantType ?? '(none)'
    recorder.recordTokenRequest(grantType ?? '(none)')
    const client = clientFrom(req, form)
    authenticateClient(client)
    const issued = tokens.issue(grant(grantType, client, form))
    sendJson(
      res,
      200,
      {
        access_token: issued.accessToken,
        token_type: 'bearer',
        ...(issued.refreshToken ? { refresh_token: issued.refreshToken } : {}),
        expires_in: issued.expiresIn,
        scope: issued.scope,
        jti: issued.jti,
      },
      { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
    )
  }

  return async (req, res, path, _rawQuery, notes) => {
    try {
      if (path === '/oauth/token') {
        if (req.method !== 'POST') throw new OAuthError(405, 'method_not_allowed', `Request method '${req.method}' not supported`)
        return await token(req, res, notes)
      }
      if (req.method === 'GET' && (path === '/login' || path === '/info')) {
        return sendJson(res, 200, { app: { version: '77.0.0' }, links: { uaa: uaaUrl(), login: uaaUrl() }, zone_name: 'uaa', prompts: { username: ['text', 'Email'], password: ['password', 'Password'] } })
      }
      if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { status: 'ok' })
      throw new OAuthError(404, 'not_found', `No handler for ${path}`)
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error
      const headers: Record<string, string> = error.status === 401 ? { 'WWW-Authenticate': `Bearer realm="UAA/oauth", error="${error.error}", error_description="${error.description}"` } : {}
      sendOAuthError(res, error, headers)
    }
  }
}
