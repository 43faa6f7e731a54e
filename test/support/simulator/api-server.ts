/**
 * @module simulator/api-server
 * The node:http server shell shared by the simulated Cloud Controller and UAA: it applies the
 * injected faults (unreachable, latency, queued 5xx/429) before the real handler runs, turns
 * thrown CcErrors into CC error bodies, and logs every call with its final status.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { FailureRule, FaultControls } from './faults.ts'
import { sendJson, sendText, sleep } from './http-io.ts'
import type { SimRecorder } from './logs.ts'
import { CcError } from './query.ts'

/** Per-request facts a handler can add to the log entry. */
export interface RequestNotes {
  grantType?: string
}

/** A request handler behind the fault shell; `path` excludes and `rawQuery` is the text after `?`. */
export type ApiHandler = (req: IncomingMessage, res: ServerResponse, path: string, rawQuery: string, notes: RequestNotes) => Promise<void> | void

const UNKNOWN_ERROR = { errors: [{ title: 'UnknownError', detail: 'An unknown error occurred.', code: 10001 }] }

function answerFault(server: 'cc' | 'uaa', rule: FailureRule, res: ServerResponse): void {
  if (rule.kind === 'rateLimit') {
    const resetEpoch = Math.floor(Date.now() / 1000) + rule.retryAfterSeconds
    const headers = {
      'Retry-After': String(rule.retryAfterSeconds),
      'X-RateLimit-Limit': '20000',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String(resetEpoch),
    }
    if (server === 'uaa') return sendText(res, 429, 'Too Many Requests', headers)
    // CC declares text/plain although the body is JSON (reference 2.2, "sic")
    const body = JSON.stringify({ errors: [{ detail: 'Rate Limit Exceeded', title: 'CF-RateLimitExceeded', code: 10013 }] })
    return sendText(res, 429, body, headers)
  }
  if (server === 'uaa') {
    return sendJson(res, rule.status, { error: 'temporarily_unavailable', error_description: 'Service Unavailable' })
  }
  sendJson(res, rule.status, { errors: [{ code: 10015, title: 'CF-ServiceUnavailable', detail: 'The service is currently unavailable' }] })
}

/** Creates the server for CC or UAA around `handler`. */
export function createApiServer(server: 'cc' | 'uaa', handler: ApiHandler, faults: FaultControls, recorder: SimRecorder): Server {
  return createServer(async (req, res) => {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    const rawQuery = q === -1 ? '' : url.slice(q + 1)
    const entry = { server, method: req.method ?? 'GET', path, query: rawQuery }
    if (faults.isUnreachable(server)) {
      recorder.recordApi({ ...entry, status: 0, fault: 'unreachable' })
      req.socket.destroy()
      return
    }
    await sleep(faults.latencyMs)
    const rule = faults.takeFailure(server, path)
    if (rule) {
      recorder.recordApi({ ...entry, status: rule.status, fault: rule.kind })
      answerFault(server, rule, res)
      return
    }
    const notes: RequestNotes = {}
    res.on('finish', () => recorder.recordApi({ ...entry, status: res.statusCode, ...(notes.grantType ? { grantType: notes.grantType } : {}) }))
    try {
      await handler(req, res, path, rawQuery, notes)
    } catch (error) {
      if (res.headersSent) return void res.destroy()
      if (error instanceof CcError) {
        sendJson(res, error.status, { errors: [{ code: error.code, title: error.title, detail: error.detail }] })
      } else {
        sendJson(res, 500, UNKNOWN_ERROR)
      }
    }
  })
}
