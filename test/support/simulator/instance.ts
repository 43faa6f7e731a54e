/**
 * @module simulator/instance
 * One simulated app instance answering a request that the router (or the container network)
 * delivered to it. Instances are plain functions, not sockets, so thousands cost nothing; each
 * enforces its app's auth, metrics path and delay, and answers metrics that identify it.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import { sendText, sleep } from './http-io.ts'
import type { SimRecorder } from './logs.ts'
import { defaultMetricsBody, negotiateFormat, OPENMETRICS_CONTENT_TYPE, prefersProtobuf, PROTOBUF_CONTENT_TYPE, TEXT_CONTENT_TYPE } from './metrics-body.ts'
import type { AppRecord } from './state.ts'
import type { MetricsFormat } from './types.ts'

/** Whether the Authorization header satisfies the app's configured auth; also names the challenge. */
function checkAuth(app: AppRecord, authorization: string | undefined): { ok: true } | { ok: false; challenge: string } {
  const { basicAuth, bearerToken, authorize } = app.config
  if (basicAuth) {
    const expected = `Basic ${Buffer.from(`${basicAuth.username}:${basicAuth.password}`).toString('base64')}`
    if (authorization?.replace(/^basic/i, 'Basic') !== expected) return { ok: false, challenge: 'Basic realm="sim-app"' }
  }
  if (bearerToken !== undefined) {
    const match = /^bearer\s+(\S+)$/i.exec(authorization ?? '')
    if (match?.[1] !== bearerToken) return { ok: false, challenge: 'Bearer realm="sim-app", error="invalid_token"' }
  }
  if (authorize && !authorize(authorization)) return { ok: false, challenge: 'Bearer realm="sim-app"' }
  return { ok: true }
}

function chooseFormat(app: AppRecord, headers: IncomingHttpHeaders): MetricsFormat {
  const configured = app.config.format ?? 'negotiate'
  return configured === 'negotiate' ? negotiateFormat(headers.accept) : configured
}

/**
 * Serves one request on instance `index` of `app`. `headers` are what the instance sees (the
 * router already removed X-CF-APP-INSTANCE). Resolves with the status sent (0 if the client left).
 */
export async function serveInstance(app: AppRecord, index: number, req: IncomingMessage, res: ServerResponse, path: string, headers: IncomingHttpHeaders, recorder: SimRecorder): Promise<number> {
  recorder.recordInstanceHit(`${app.guid}:${index}`, { method: req.method ?? 'GET', path, headers })
  if (app.config.upstream) return forward(app.config.upstream(index), req, res, path, headers)
  await sleep(app.config.delayMs ?? 0)
  // a client that timed out must not be written to; the socket may already be gone
  if (res.destroyed || req.socket.destroyed) return 0
  const auth = checkAuth(app, headers.authorization)
  if (!auth.ok) {
    sendText(res, 401, 'Unauthorized\n', { 'WWW-Authenticate': auth.challenge })
    return 401
  }
  const pathOnly = path.split('?', 1)[0] ?? path
  if (pathOnly !== (app.config.metricsPath ?? '/metrics')) {
    sendText(res, 404, '404 page not found\n')
    return 404
  }
  const format = chooseFormat(app, headers)
  const ctx = { appGuid: app.guid, processGuid: app.processGuid, appName: app.name, index, format }
  if (app.config.protobuf && prefersProtobuf(headers.accept)) {
    const bytes = app.config.protobuf(ctx)
    res.writeHead(200, { 'Content-Type': PROTOBUF_CONTENT_TYPE, 'Content-Length': bytes.byteLength })
    res.end(bytes)
    return 200
  }
  const body = app.config.body ? app.config.body(ctx) : defaultMetricsBody(ctx)
  sendText(res, 200, body, {}, app.config.contentType ?? (format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE))
  return 200
}

/** Passes a request on to an instance that is a real server (`SimApp.upstream`); resolves with its status. */
function forward(base: string | undefined, req: IncomingMessage, res: ServerResponse, path: string, headers: IncomingHttpHeaders): Promise<number> {
  if (base === undefined) {
    sendText(res, 502, '502 Bad Gateway: Registered endpoint failed to handle the request.\n', { 'X-Cf-Routererror': 'endpoint_failure' })
    return Promise.resolve(502)
  }
  const url = new URL(path, base)
  return new Promise((resolve) => {
    const upstream = httpRequest({ host: url.hostname, port: url.port, method: req.method, path: `${url.pathname}${url.search}`, headers: { ...headers, host: url.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
      answer.on('end', () => resolve(answer.statusCode ?? 502))
    })
    upstream.on('error', () => {
      if (!res.headersSent) sendText(res, 502, '502 Bad Gateway: Registered endpoint failed to handle the request.\n', { 'X-Cf-Routererror': 'endpoint_failure' })
      resolve(502)
    })
    req.pipe(upstream)
  })
}
