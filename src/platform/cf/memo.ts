/**
 * @module platform/cf/memo
 * Query results remembered per resource class with their age, so each class is read again only
 * when older than its `cf.cache.timeout.*` (as the original's Caffeine `refreshAfterWrite`).
 * Entries a run did not use are dropped at its end (as `expireAfterAccess`), so memory follows
 * the current selection.
 */
import type { ResourceClass } from './types.ts'

interface Entry {
  value: unknown
  fetchedAt: number
}

/** Remembered results of one foundation. */
export class Memo {
  private readonly entries = new Map<string, Entry & { cls: ResourceClass }>()
  private readonly touched = new Set<string>()

  constructor(
    private readonly maxAgeMs: (cls: ResourceClass) => number,
    private readonly now: () => number,
  ) {}

  /** The remembered value while younger than its class's timeout, else a fresh one from `load`. */
  async get<T>(cls: ResourceClass, key: string, load: () => Promise<T>): Promise<T> {
    const id = `${cls} ${key}`
    this.touched.add(id)
    const entry = this.entries.get(id)
    if (entry && this.now() - entry.fetchedAt < this.maxAgeMs(cls)) return entry.value as T
    const value = await load()
    this.entries.set(id, { cls, value, fetchedAt: this.now() })
    return value
  }

  /** The remembered value and its age, whatever its age (for incremental updates). */
  peek<T>(cls: ResourceClass, key: string): { value: T; ageMs: number } | undefined {
    const id = `${cls} ${key}`
    this.touched.add(id)
    const entry = this.entries.get(id)
    return entry && { value: entry.value as T, ageMs: this.now() - entry.fetchedAt }
  }

  /** Stores a value fetched now. */
  set(cls: ResourceClass, key: string, value: unknown): void {
    const id = `${cls} ${key}`
    this.touched.add(id)
    this.entries.set(id, { cls, value, fetchedAt: this.now() })
  }

  /** Forgets every entry of these classes (all when omitted). */
  invalidate(classes?: readonly ResourceClass[]): void {
    for (const [id, entry] of this.entries) if (!classes || classes.includes(entry.cls)) this.entries.delete(id)
  }

  /** Starts a run: nothing is touched yet. */
  beginRun(): void {
    this.touched.clear()
  }

  /** Ends a successful run: drops what it did not use. */
  endRun(): void {
    for (const id of this.entries.keys()) if (!this.touched.has(id)) this.entries.delete(id)
  }
}
