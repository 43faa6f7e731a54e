/**
 * @module oauth/basic
 * Small pieces every OAuth2 / HTTP Basic client here needs: the `Authorization: Basic` value
 * (UTF-8 safe, which `btoa` alone is not), and a readable error from a token endpoint's body.
 */

/** `Basic base64(user:password)`, encoding the text as UTF-8 first. */
export function basicAuthorization(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`)
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return `Basic ${btoa(binary)}`
}

/** Parses JSON, or gives undefined for anything that is not. */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** `error: error_description` of an OAuth2 error body, else the start of the body. */
export function oauthErrorText(text: string): string {
  const body = safeJson(text) as { error?: string; error_description?: string } | undefined
  if (body?.error) return body.error_description ? `${body.error}: ${body.error_description}` : body.error
  return text.slice(0, 200) || '(empty body)'
}
