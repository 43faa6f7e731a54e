/**
 * @module secrets
 * The values that must never reach a log line: the ones configured (passwords, client secrets,
 * keys) and the ones learned at run time (UAA access and refresh tokens, OAuth2 tokens of
 * target authenticators, `Authorization` header values). Every logger of the process redacts
 * what this registry holds; net/secret-capture.ts feeds it from outbound traffic, so a token is
 * known as a secret before any error message of a dependency could carry it.
 *
 * A secret leaks in other spellings too: a peer that echoes a form-encoded request body (UAA's
 * `password=a+b%2Bc`), a JSON error, a URL, a Basic header. Each value's spellings
 * ({@link secretForms}) are worked out once, when it is added, not on every log line.
 */

/** A growing set of secret values, shared by every logger of the process. */
export class SecretRegistry {
  private readonly values = new Set<string>()
  /** The spellings of each value, in the order of `values`. */
  private readonly spellings = new Map<string, readonly string[]>()
  /** Bounds memory when tokens rotate for weeks: the oldest learned values are forgotten first. */
  private readonly learned: string[] = []

  constructor(
    configured: Iterable<string> = [],
    private readonly maxLearned = 1000,
  ) {
    for (const value of configured) this.keep(value)
  }

  private keep(value: string): void {
    this.values.add(value)
    if (!this.spellings.has(value)) this.spellings.set(value, secretForms(value))
  }

  private forget(value: string): void {
    this.values.delete(value)
    this.spellings.delete(value)
  }

  /** Adds a value learned at run time (a token, a header value). Empty and very short values are ignored. */
  add(value: string | undefined | null): void {
    if (!value || value.length < 4 || this.values.has(value)) return
    this.keep(value)
    this.learned.push(value)
    if (this.learned.length > this.maxLearned) this.forget(this.learned.shift()!)
  }

  /** Adds a configured value (a password, a client secret): kept for the life of the process, whatever its length. */
  addConfigured(value: string): void {
    this.keep(value)
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

  /** Every value registered, as given. */
  all(): Iterable<string> {
    return this.values
  }

  /** Every spelling of every value, for `redact` (log.ts). */
  *forms(): Iterable<string> {
    for (const forms of this.spellings.values()) yield* forms
  }
}

/**
 * The spellings in which a secret may appear in text: as it is, JSON-escaped, percent-encoded as in
 * a URL and as in a form body (`+` for a blank, RFC 1866), each with upper- and lower-case hex
 * digits, and base64 (alone, as some clients send a password). Values shorter than 4 characters
 * have none: they cannot be replaced without mangling ordinary text.
 */
export function secretForms(secret: string): string[] {
  if (secret.length < 4) return []
  const url = encodeURIComponent(secret)
  const form = new URLSearchParams({ s: secret }).toString().slice(2)
  const lowerHex = (text: string) => text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())
  let base64: string | undefined
  try {
    base64 = btoa(String.fromCharCode(...new TextEncoder().encode(secret)))
  } catch {
    base64 = undefined
  }
  const forms = new Set([secret, JSON.stringify(secret).slice(1, -1), url, lowerHex(url), form, lowerHex(form)])
  if (base64 !== undefined) forms.add(base64)
  // Longest first: a spelling that contains another is replaced whole.
  return [...forms].sort((a, b) => b.length - a.length)
}

function decodeBase64(text: string): string | undefined {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)))
  } catch {
    return undefined
  }
}
