/**
 * @module secrets
 * The values that must never reach a log line: the ones configured (passwords, client secrets,
 * keys) and the ones learned at run time (UAA access and refresh tokens, OAuth2 tokens of
 * target authenticators, `Authorization` header values). Every logger of the process redacts
 * what this registry holds; net/secret-capture.ts feeds it from outbound traffic, so a token is
 * known as a secret before any error message of a dependency could carry it.
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

function decodeBase64(text: string): string | undefined {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)))
  } catch {
    return undefined
  }
}
