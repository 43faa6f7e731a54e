/**
 * @module net/secret-capture
 * A fetch decorator that registers every credential it sends or receives with the process's
 * secret registry before anything can log it: `Authorization` header values, secret fields of
 * form bodies, and the tokens in token-endpoint responses. Used for platform API and token
 * traffic; scrapes do not pass through it (their credentials are an authenticator's, registered
 * when it is built), so the hot path does not look into every request.
 */
import type { SecretRegistry } from '../secrets.ts'

/** Form fields whose values are credentials (OAuth2 token requests). */
const SECRET_FORM_FIELDS = ['password', 'client_secret', 'refresh_token', 'assertion', 'code']
/** JSON fields of a token response whose values are credentials. */
const SECRET_JSON_FIELDS = ['access_token', 'refresh_token', 'id_token']

/**
 * Wraps a `fetch` so that every credential it sends or receives is registered before anything
 * can log it: `Authorization` header values, secret fields of form bodies, and the tokens in
 * token-endpoint responses (JSON answers to a POST whose path ends in `/token`).
 */
export function secretCapturingFetch(inner: typeof fetch, secrets: SecretRegistry): typeof fetch {
  const wrapped = async (input: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(input instanceof Request ? input.headers : undefined)
    if (init?.headers) new Headers(init.headers).forEach((value, key) => headers.set(key, value))
    secrets.addAuthorization(headers.get('authorization'))
    const body = init?.body
    const form = body instanceof URLSearchParams ? body : typeof body === 'string' && /x-www-form-urlencoded/i.test(headers.get('content-type') ?? '') ? new URLSearchParams(body) : undefined
    if (form) for (const field of SECRET_FORM_FIELDS) secrets.add(form.get(field))
    const response = await inner(input, init)
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase()
    if (method === 'POST' && /\/token\/?$/.test(urlPath(input)) && /json/i.test(response.headers.get('content-type') ?? '')) {
      try {
        const parsed = (await response.clone().json()) as Record<string, unknown>
        for (const field of SECRET_JSON_FIELDS) if (typeof parsed[field] === 'string') secrets.add(parsed[field] as string)
      } catch {
        // Not JSON after all: nothing to learn, the caller reports the body problem.
      }
    }
    return response
  }
  return wrapped as typeof fetch
}

function urlPath(input: string | URL | Request): string {
  const raw = input instanceof Request ? input.url : String(input)
  try {
    return new URL(raw).pathname
  } catch {
    return raw
  }
}

