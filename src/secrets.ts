/**
 * @module secrets
 * The values that must never reach a log line: the ones configured (passwords, client secrets,
 * keys) and the ones learned at run time (UAA access and refresh tokens, OAuth2 tokens of
 * target authenticators, `Authorization` header values). Every logger of the process redacts
 * what this registry holds; {@link secretCapturingFetch} feeds it from outbound traffic, so a
 * token is known as a secret before any error message of a dependency could carry it.
 */

/** A growing set of secret values, shared by every logger of the process. */
export class SecretRegistry {
  private readonly values = new Set<string>()
  /** Bounds memory when tokens rotate for weeks: the oldest learned values are forgotten first. */
  private readonly learned: string[] = []

  constructor(
    configured: Iterable<string> = [],
    private readonly maxLearned = 1000,
  ) {
    for (const value of configured) this.values.add(value)
  }

  /** Adds a value learned at run time (a token, a header value). Empty and very short values are ignored. */
  add(value: string | undefined | null): void {
    if (!value || value.length < 4 || this.values.has(value)) return
    this.values.add(value)
    this.learned.push(value)
    if (this.learned.length > this.maxLearned) this.values.delete(this.learned.shift()!)
  }

  /** Adds a configured value (a password, a client secret): kept for the life of the process, whatever its length. */
  addConfigured(value: string): void {
    this.values.add(value)
  }

  /** Adds the credentials inside an `Authorization` header value (scheme kept out). */
  addAuthorization(header: string | undefined | null): void {
    if (!header) return
    const credentials = header.replace(/^\s*\S+\s+/, '').trim()
    this.add(credentials)
    if (/^\s*basic\s/i.test(header)) {
      const decoded = decodeBase64(credentials)
      const colon = decoded?.indexOf(':') ?? -1
      if (decoded && colon >= 0) this.add(decoded.slice(colon + 1))
    }
  }

  /** Every value to redact, for the logger. */
  all(): Iterable<string> {
    return this.values
  }
}

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

function decodeBase64(text: string): string | undefined {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)))
  } catch {
    return undefined
  }
}
