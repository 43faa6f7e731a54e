/**
 * @module targets/shard
 * Sharding as a pure function of the target id, the same in every replica and every release:
 * FNV-1a (32 bit) of the id's UTF-8 bytes, modulo the number of shards. As Prometheus's `hashmod`,
 * a target's shard depends on nothing but its id and the shard count, so any replica that knows
 * the same targets answers the same shard with the same instances.
 */
import type { ScrapeTarget } from '../model/target.ts'

const encoder = new TextEncoder()

/** FNV-1a, 32 bit, of the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5
  for (const byte of encoder.encode(text)) {
    hash ^= byte
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash >>> 0
}

/** The shard (0 … shards-1) a target id belongs to. */
export function shardOf(id: string, shards: number): number {
  return fnv1a32(id) % shards
}

/** The targets of shard `shard` of `shards`. */
export function targetsOfShard(targets: readonly ScrapeTarget[], shard: number, shards: number): ScrapeTarget[] {
  return targets.filter((t) => shardOf(t.id, shards) === shard)
}
