/**
 * @module oauth/basic
 * Small pieces every OAuth2 / HTTP Basic client here needs: the `Authorization: Basic` value
 * (UTF-8 safe, which `btoa` alone is not), its OAuth2 client form, and a readable error from a
 * token endpoint's body.
 */

/** `Basic base64(user:password)`, encoding the text as UTF-8 first. */
export function basicAuthorization(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`)
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return `Basic ${btoa(binary)}`
}

/**
 * The client authentication of an OAuth2 token request (RFC 6749 §2.3.1): HTTP Basic with client id
 * and secret each form-encoded first. UAA URL-decodes both, so a generated secret with `+`, `%`,
 * `:` or `/` sent raw comes out changed (`+` as a space, `%2F` as `/`) or undecodable: 401.
 */
export function clientAuthorization(clientId: string, clientSecret: string): string {
  return basicAuthorization(formEncode(clientId), formEncode(clientSecret))
}

/** `application/x-www-form-urlencoded` encoding of one value (space as `+`). */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2)
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
