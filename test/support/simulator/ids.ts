/**
 * @module simulator/ids
 * Identifiers, timestamps and small deterministic number helpers shared by the simulator modules.
 */
import { randomUUID } from 'node:crypto'

/** A lowercase UUID v4, the shape Cloud Controller uses for every guid. */
export function newGuid(): string {
  return randomUUID()
}

/** ISO-8601 without milliseconds (`2016-03-18T23:26:46Z`), as Cloud Controller writes timestamps. */
export function ccTimestamp(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z')
}

/** FNV-1a hash of a string: stable across runs so metric values can be predicted by tests. */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** Seeded pseudo-random generator (mulberry32) returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
