/**
 * @module scrape/failures
 * Why a scrape failed, told apart: each failure gets one `reason` (the label of
 * `promregator_scrape_errors_total`) and the log level an operator should see it at.
 */
import type { Level } from '../log.ts'

/** Why a scrape failed; the `reason` label of `promregator_scrape_errors_total`. */
export type FailureReason =
  | 'timeout'
  | 'connection_refused'
  | 'dns'
  | 'tls'
  | 'network'
  | 'unknown_route'
  | 'unauthorized'
  | 'forbidden'
  | 'http_status'
  | 'content_type'
  | 'body_too_large'
  | 'redirects'
  | 'auth'
  | 'loop'
  | 'instance_down'

/**
 * How loud each failure is. An instance that vanished between two discoveries is routine (info);
 * a slow or unreachable instance may heal by itself (warn); credentials, certificates and loops
 * need an operator (error).
 */
const LEVELS: Record<FailureReason, Level> = {
  unknown_route: 'info',
  instance_down: 'info',
  timeout: 'warn',
  connection_refused: 'warn',
  dns: 'warn',
  network: 'warn',
  http_status: 'warn',
  content_type: 'warn',
  body_too_large: 'warn',
  redirects: 'warn',
  tls: 'error',
  unauthorized: 'error',
  forbidden: 'error',
  auth: 'error',
  loop: 'error',
}

/** The log level of a failed scrape; unknown reasons (e.g. `parse_error`) are warnings. */
export function failureLogLevel(reason: string): Level {
  return LEVELS[reason as FailureReason] ?? 'warn'
}

/** Maps a rejected fetch of Node (undici) or Bun to a reason and a message for the log. */
export function classifyNetworkError(error: unknown, timedOut: boolean): [FailureReason, string] {
  const e = error as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string; name?: string } }
  const code = String(e.cause?.code ?? e.code ?? '')
  const message = e.cause?.message ?? e.message ?? String(error)
  if (timedOut || e.name === 'TimeoutError' || e.cause?.name === 'TimeoutError' || /^UND_ERR_(CONNECT|HEADERS)_TIMEOUT$|^ETIMEDOUT$/.test(code)) {
    return ['timeout', 'timed out waiting for the target']
  }
  if (code === 'ECONNREFUSED' || code === 'ConnectionRefused') return ['connection_refused', `connection refused: ${message}`]
  if (/^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|DNSException)$/.test(code) || /getaddrinfo|DNS/i.test(message)) {
    return ['dns', `name not resolved: ${message}`]
  }
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/i.test(code) || /certificate|tls|ssl/i.test(message)) {
    return ['tls', `TLS error: ${code ? `${code}: ` : ''}${message}`]
  }
  return ['network', `${code ? `${code}: ` : ''}${message}`]
}
