/**
 * @module config/schema-walk
 * Reading the configuration schema's own structure, for the passes that follow raw input along it
 * (unknown keys, relaxed binding, secret marks): the definition behind a zod schema, the node
 * behind its wrappers (optional, default, pipe ...), and the option of a union that fits a value.
 */
import type { z } from 'zod'

/** The parts of zod's definitions these passes read. */
export interface Definition {
  type: string
  shape?: Record<string, z.ZodType>
  element?: z.ZodType
  options?: z.ZodType[]
  innerType?: z.ZodType
  in?: z.ZodType
  out?: z.ZodType
  left?: z.ZodType
  right?: z.ZodType
}

export const definitionOf = (schema: z.ZodType): Definition => (schema as unknown as { _zod: { def: Definition } })._zod.def

const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional'])

/** The schema behind wrappers and pipes (a pipe reads its input with `in`); a union is returned as it is. */
export function unwrap(schema: z.ZodType): { schema: z.ZodType; def: Definition } {
  let node = schema
  for (;;) {
    const def = definitionOf(node)
    if (WRAPPERS.has(def.type) && def.innerType) node = def.innerType
    else if (def.type === 'pipe' && def.in) node = def.in
    else return { schema: node, def }
  }
}

/**
 * The schema a value is read by, behind wrappers and pipes, and for a union the option of the
 * value's kind (a list or a mapping).
 */
export function coreOf(schema: z.ZodType, value?: unknown): { schema: z.ZodType; def: Definition } {
  const found = unwrap(schema)
  if (found.def.type !== 'union' || !found.def.options) return found
  const option = found.def.options.find((o) => (coreOf(o).def.type === 'array') === Array.isArray(value)) ?? found.def.options[0]!
  return coreOf(option, value)
}
