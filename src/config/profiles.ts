/**
 * @module config/profiles
 * Several YAML documents in one file (`---`), as Spring Boot reads them for the Java original: a
 * document applies unless it names profiles (`spring.config.activate.on-profile`, or the older
 * `spring.profiles`) none of which is active; the documents that apply are merged in order, a later
 * one's values replacing an earlier one's (mappings merged key by key, lists replaced whole). Active
 * profiles come from `SPRING_PROFILES_ACTIVE` (or the `--profile` flag, which sets it), else from
 * `spring.profiles.active` in a document that applies to all.
 */

type Mapping = Record<string, unknown>

/** The documents merged for the active profiles, and which profiles those were. */
export function mergeDocuments(documents: Mapping[], env: Record<string, string | undefined>): { raw: Mapping; notes: string[] } {
  const active = activeProfiles(documents, env)
  const notes: string[] = []
  let raw: Mapping = {}
  documents.forEach((doc, i) => {
    const wanted = profilesOf(doc)
    if (wanted.length > 0 && !wanted.some((p) => active.has(p))) {
      if (documents.length > 1) notes.push(`document ${i + 1} of the file is for profile ${wanted.join(', ')}, not active; skipped`)
      return
    }
    raw = mergeInto(raw, doc)
  })
  if (documents.length > 1) notes.push(`${documents.length} documents in the file; active profiles: ${active.size === 0 ? 'none' : [...active].join(', ')}`)
  return { raw, notes }
}

function activeProfiles(documents: Mapping[], env: Record<string, string | undefined>): Set<string> {
  const fromEnv = env.SPRING_PROFILES_ACTIVE
  if (fromEnv !== undefined && fromEnv.trim() !== '') return new Set(split(fromEnv))
  const fromFile = documents.filter((d) => profilesOf(d).length === 0).map((d) => lookup(d, ['spring', 'profiles', 'active'])).filter((v) => v !== undefined)
  return new Set(fromFile.flatMap((v) => (Array.isArray(v) ? v.map(String) : split(String(v)))))
}

/** The profiles a document is for (none: it applies always). */
function profilesOf(doc: Mapping): string[] {
  for (const path of [['spring', 'config', 'activate', 'on-profile'], ['spring', 'profiles']]) {
    const value = lookup(doc, path)
    if (typeof value === 'string') return split(value)
    if (Array.isArray(value)) return value.map(String)
  }
  return []
}

/** A value by path, reading dotted keys too (`spring.config.activate.on-profile: x` at the top). */
function lookup(node: unknown, path: string[]): unknown {
  if (path.length === 0) return node
  if (!isMapping(node)) return undefined
  for (let n = path.length; n >= 1; n--) {
    const key = path.slice(0, n).join('.')
    if (key in node) {
      const found = lookup(node[key], path.slice(n))
      if (found !== undefined) return found
    }
  }
  return undefined
}

function mergeInto(base: Mapping, over: Mapping): Mapping {
  const out: Mapping = { ...base }
  for (const [key, value] of Object.entries(over)) out[key] = isMapping(value) && isMapping(out[key]) ? mergeInto(out[key] as Mapping, value) : value
  return out
}

const split = (text: string) => text.split(',').map((p) => p.trim()).filter((p) => p !== '')

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
