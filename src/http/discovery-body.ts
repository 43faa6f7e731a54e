/**
 * @module http/discovery-body
 * The `/discovery` document, serialised once per picture of targets and compressed once per
 * encoding, then served from memory until the next refresh. At 100,000 targets the document is
 * about 57 MB of JSON, and building it took 600–850 ms of CPU on every request although it only
 * changes when discovery does (bench/scale.ts). The document names this server's address, which
 * comes from the request's `Host` unless configured, so bodies are kept per address; the number
 * of addresses is bounded (a client chooses its `Host`), the oldest going first.
 */
import type { TargetSnapshot } from '../targets/types.ts'
import type { Compressor, Encoding } from './middleware/compression.ts'

/** One serialised document and its compressed forms, made on first use. */
interface Body {
  text: string
  compressed: Partial<Record<Encoding, Promise<Uint8Array>>>
}

export interface DiscoveryBodies {
  /** The document's JSON text for `snapshot` as seen at `address` (`host:port`). */
  text(snapshot: TargetSnapshot, address: string): string
  /** The same, compressed with `encoding` (made once, shared by concurrent requests). */
  compressed(snapshot: TargetSnapshot, address: string, encoding: Encoding): Promise<Uint8Array>
}

export interface DiscoveryBodiesOptions {
  /** Builds the document (any JSON value) for a picture of targets as seen at `address`. */
  build: (snapshot: TargetSnapshot, address: string) => unknown
  /** Drops the kept bodies on every refresh (an old picture's 57 MB are not held until the next request) and on anything else that changes the document. */
  changes: { subscribe(listener: () => void): unknown }
  /** Called each time a document is serialised (own metric `promregator_discovery_document_builds_total`). */
  onBuild?: () => void
  /** Whole-body compressor; default: `CompressionStream`. */
  compressor?: Compressor
  /** Most addresses kept at once; default 4. */
  maxAddresses?: number
}

/** Creates the cache. */
export function createDiscoveryBodies(o: DiscoveryBodiesOptions): DiscoveryBodies {
  const maxAddresses = o.maxAddresses ?? 4
  let forSnapshot: TargetSnapshot | undefined
  // Insertion order is age: the first entry is the oldest.
  const bodies = new Map<string, Body>()
  o.changes.subscribe(() => {
    bodies.clear()
    forSnapshot = undefined
  })

  const bodyOf = (snapshot: TargetSnapshot, address: string): Body => {
    if (snapshot !== forSnapshot) {
      bodies.clear()
      forSnapshot = snapshot
    }
    const kept = bodies.get(address)
    if (kept) return kept
    const body: Body = { text: JSON.stringify(o.build(snapshot, address)), compressed: {} }
    o.onBuild?.()
    bodies.set(address, body)
    if (bodies.size > maxAddresses) bodies.delete(bodies.keys().next().value as string)
    return body
  }

  return {
    text: (snapshot, address) => bodyOf(snapshot, address).text,
    compressed(snapshot, address, encoding) {
      const body = bodyOf(snapshot, address)
      body.compressed[encoding] ??= compress(body.text, encoding, o.compressor)
      return body.compressed[encoding]
    },
  }
}

async function compress(text: string, encoding: Encoding, compressor: Compressor | undefined): Promise<Uint8Array> {
  if (compressor) return compressor(text, encoding)
  const stream = new Response(text).body!.pipeThrough(new CompressionStream(encoding))
  return new Uint8Array(await new Response(stream).arrayBuffer())
}
