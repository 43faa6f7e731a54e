/**
 * @module config/relaxed-binding
 * Reads a configuration the way the Java original read it. It is a Spring Boot application, and
 * Spring Boot's relaxed binding accepts a key in camelCase, kebab-case, snake_case or all lower case
 * (`orgName`, `org-name`, `org_name`, `orgname`), converts a single value where a list is expected
 * (a comma-separated string becomes its items), numbers and booleans written as strings, and treats
 * an empty section (`endpoint:` with nothing under it) as not set. Operators' files are written for
 * that, so this pass brings them into the spelling of the schema before it validates, and says what
 * it did (`--check-config` prints it). It follows the schema's own structure (schema-walk.ts), so a
 * key is renamed only to a key that exists at that place.
 */
import type { z } from 'zod'
import { coreOf } from './schema-walk.ts'

type Mapping = Record<string, unknown>

/** How Spring Boot compares key spellings: lower case, without `-` and `_`. */
const canonical = (key: string) => key.toLowerCase().replace(/[-_]/g, '')

/** What the pass changed, one line each, naming the key path. */
export interface BindingNotes {
  notes: string[]
}

/**
 * Rewrites `raw` in place to the schema's spelling and types, under `schema` (an object schema);
 * returns what it changed. Keys the schema does not know are left as they are (validation warns).
 */
export function bindRelaxed(raw: Mapping, schema: z.ZodType): BindingNotes {
  const notes: string[] = []
  mapDeprecatedProxy(raw, notes)
  mapDeprecatedEndpoint(raw, notes)
  normaliseAuthenticators(raw, notes)
  bindObject(raw, schema, '', notes)
  return { notes }
}

/**
 * `promregator.endpoint.maxProcessingTime` / `.threads` of the original's early releases are
 * `promregator.scraping.maxProcessingTime` / `.threads` (a value under the new key wins).
 */
function mapDeprecatedEndpoint(raw: Mapping, notes: string[]): void {
  const promregatorKey = childKey(raw, 'promregator')
  const promregator = promregatorKey === undefined ? undefined : raw[promregatorKey]
  if (!isMapping(promregator)) return
  const endpointKey = childKey(promregator, 'endpoint')
  const endpoint = endpointKey === undefined ? undefined : promregator[endpointKey]
  if (!isMapping(endpoint)) return
  for (const name of ['maxProcessingTime', 'threads']) {
    const old = childKey(endpoint, name)
    if (old === undefined) continue
    const scrapingKey = childKey(promregator, 'scraping') ?? 'scraping'
    const scraping: Mapping = isMapping(promregator[scrapingKey]) ? (promregator[scrapingKey] as Mapping) : {}
    if (childKey(scraping, name) === undefined) scraping[name] = endpoint[old]
    promregator[scrapingKey] = scraping
    delete endpoint[old]
    notes.push(`promregator.endpoint.${old} is deprecated: read as promregator.scraping.${name}`)
  }
}

/** Child of `node` whose key is spelled like `key` in any of Spring Boot's ways. */
function childKey(node: Mapping, key: string): string | undefined {
  return Object.keys(node).find((k) => canonical(k) === canonical(key))
}

/**
 * Authenticators as the original read them: the type `OAuth2XSUAA` of its early releases (with an
 * `oauth2xsuaa` section) is `OAuth2XSUAABasic`; a type that is null, missing or unknown
 * authenticates nothing (the original logs a warning and sends no credentials), so it is `none`
 * here, with a warning, and targets naming the authenticator keep working.
 */
function normaliseAuthenticators(raw: Mapping, notes: string[]): void {
  const promregatorKey = childKey(raw, 'promregator')
  const promregator = promregatorKey === undefined ? undefined : raw[promregatorKey]
  if (!isMapping(promregator)) return
  const entries: Array<[Mapping, string]> = []
  const single = childKey(promregator, 'authenticator')
  if (single !== undefined && isMapping(promregator[single])) entries.push([promregator[single] as Mapping, 'promregator.authenticator'])
  const list = childKey(promregator, 'targetAuthenticators')
  const items = list === undefined ? undefined : promregator[list]
  if (Array.isArray(items)) items.forEach((entry, i) => isMapping(entry) && entries.push([entry, `promregator.targetAuthenticators[${i}]`]))
  for (const [entry, path] of entries) {
    const typeKey = childKey(entry, 'type') ?? 'type'
    const type = entry[typeKey]
    if (typeof type === 'string' && canonical(type) === 'oauth2xsuaa') {
      entry[typeKey] = 'OAuth2XSUAABasic'
      const section = childKey(entry, 'oauth2xsuaa')
      if (section !== undefined && childKey(entry, 'oauth2xsuaaBasic') === undefined) {
        entry.oauth2xsuaaBasic = entry[section]
        delete entry[section]
      }
      notes.push(`${path}.type OAuth2XSUAA is deprecated: read as OAuth2XSUAABasic (and ${path}.oauth2xsuaa as ${path}.oauth2xsuaaBasic)`)
    } else if (typeof type !== 'string' || !KNOWN_TYPES.has(canonical(type))) {
      entry[typeKey] = 'none'
      notes.push(`${path}.type is ${type === undefined || type === null ? 'not set' : `'${String(type)}', not a type`}: it authenticates nothing (type none), as in the original`)
    }
  }
}

const KNOWN_TYPES = new Set(['none', 'null', 'basic', 'oauth2xsuaabasic', 'oauth2xsuaacertificate'])

/**
 * `cf.proxyHost` / `cf.proxyPort` of the original's early releases are `cf.proxy.host` / `port`
 * (for each foundation of a `cf` list too), with a note naming the new keys.
 */
function mapDeprecatedProxy(raw: Mapping, notes: string[]): void {
  const cf = raw.cf
  const foundations: Array<[Mapping, string]> = Array.isArray(cf)
    ? cf.filter(isMapping).map((entry, i) => [entry, `cf[${i}]`])
    : isMapping(cf) ? [[cf, 'cf']] : []
  for (const [entry, path] of foundations) {
    const host = Object.keys(entry).find((k) => canonical(k) === 'proxyhost')
    const port = Object.keys(entry).find((k) => canonical(k) === 'proxyport')
    if (host === undefined && port === undefined) continue
    const proxy: Mapping = isMapping(entry.proxy) ? entry.proxy : {}
    if (host !== undefined) {
      proxy.host ??= entry[host]
      delete entry[host]
      notes.push(`${path}.${host} is deprecated: read as ${path}.proxy.host`)
    }
    if (port !== undefined) {
      proxy.port ??= entry[port]
      delete entry[port]
      notes.push(`${path}.${port} is deprecated: read as ${path}.proxy.port`)
    }
    entry.proxy = proxy
  }
}

function bindObject(raw: Mapping, schema: z.ZodType, path: string, notes: string[]): void {
  const { def } = coreOf(schema, raw)
  if (def.type !== 'object' || !def.shape) return
  const byCanonical = new Map(Object.keys(def.shape).map((key) => [canonical(key), key]))
  for (const key of Object.keys(raw)) {
    const wanted = def.shape[key] ? key : byCanonical.get(canonical(key))
    if (wanted === undefined) continue
    const here = path === '' ? wanted : `${path}.${wanted}`
    if (wanted !== key) {
      if (wanted in raw) {
        notes.push(`${path === '' ? key : `${path}.${key}`} and ${here} are the same key; ${here} is used`)
        delete raw[key]
        continue
      }
      raw[wanted] = raw[key]
      delete raw[key]
      notes.push(`${path === '' ? key : `${path}.${key}`} read as ${here}`)
    }
    const value = bindValue(raw[wanted], def.shape[wanted]!, here, notes)
    if (value === undefined) delete raw[wanted]
    else raw[wanted] = value
  }
}

/** A value converted to what the schema expects at `path`, or undefined for "not set". */
function bindValue(value: unknown, schema: z.ZodType, path: string, notes: string[]): unknown {
  // `key:` with nothing after it, or `~`: not set, as Spring Boot reads it.
  if (value === null) return undefined
  const { def } = coreOf(schema, value)
  switch (def.type) {
    case 'object':
      if (isMapping(value)) bindObject(value, schema, path, notes)
      return value
    case 'array': {
      let list = value
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        list = String(value).split(',').map((item) => item.trim()).filter((item) => item !== '')
        notes.push(`${path}: a single value where a list is expected, read as ${JSON.stringify(list)}`)
      }
      if (Array.isArray(list)) return list.map((item, i) => bindValue(item, def.element!, `${path}[${i}]`, notes) ?? item)
      return list
    }
    case 'number':
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value)
      return value
    case 'boolean':
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true'
      return value
    default:
      return value
  }
}

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
