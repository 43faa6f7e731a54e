/**
 * @module config/secret-keys
 * The one mark of a secret key: `secret(z.string())` in the schema. From the mark come the keys an
 * environment variable may set (env-overrides.ts), the keys whose values a validation message never
 * echoes, and the configured values the logs and answers redact ({@link secretValues}). A walk over
 * the schema's definitions finds the marked keys (about half a millisecond for the whole schema; zod's
 * JSON Schema export would find them too, but takes ~10 ms, a fifth of the start-up).
 */
import { z } from 'zod'
import { definitionOf } from './schema-walk.ts'

const SECRET = 'secret'

/** Marks `schema` as a secret key. */
export function secret<T extends z.ZodType>(schema: T): T {
  return schema.meta({ [SECRET]: true }) as T
}

/**
 * Every marked key of `schema` as a path: `cf.password`; `cf[].password` for each entry of a list
 * (a key that may be one mapping or a list of them gives both).
 */
export function secretKeyPaths(schema: z.ZodType): string[] {
  const found = new Set<string>()
  const visit = (node: z.ZodType, path: string) => {
    if (z.globalRegistry.get(node)?.[SECRET] === true) {
      found.add(path)
      return
    }
    const def = definitionOf(node)
    const children: Array<[z.ZodType | undefined, string]> =
      def.type === 'object'
        ? Object.entries(def.shape ?? {}).map(([key, child]) => [child, path === '' ? key : `${path}.${key}`])
        : def.type === 'array'
          ? [[def.element, `${path}[]`]]
          : def.type === 'union'
            ? (def.options ?? []).map((option) => [option, path])
            : def.type === 'intersection'
              ? [[def.left, path], [def.right, path]]
              : def.type === 'pipe'
                ? [[def.in, path], [def.out, path]]
                : [[def.innerType, path]]
    for (const [child, childPath] of children) if (child) visit(child, childPath)
  }
  visit(schema, '')
  return [...found]
}

/** The values at `paths` (as {@link secretKeyPaths} spells them) in a parsed configuration: what must never be shown. */
export function secretValues(config: unknown, paths: readonly string[]): string[] {
  const values: string[] = []
  const collect = (node: unknown, segments: string[]) => {
    if (segments.length === 0) {
      if (typeof node === 'string' && node !== '') values.push(node)
      return
    }
    const [first, ...rest] = segments as [string, ...string[]]
    const key = first.endsWith('[]') ? first.slice(0, -2) : first
    const child = typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined
    if (!first.endsWith('[]')) collect(child, rest)
    else if (Array.isArray(child)) for (const entry of child) collect(entry, rest)
  }
  for (const path of paths) collect(config, path.split('.'))
  return [...new Set(values)]
}
