/**
 * @module http/types
 * What the HTTP surface is built from: everything passed in, so tests drive it with
 * `app.request()` and the runtime entries serve it.
 */
import type { Config } from '../config/schema.ts'
import type { Logger } from '../log.ts'
import type { LimitedScraper } from '../scrape/types.ts'
import type { SelfMetrics } from '../self/metrics.ts'
import type { Replicas } from '../self/replicas.ts'
import type { ScrapeOutcomes } from '../self/scrape-outcomes.ts'
import type { ScrapeRecorder } from '../self/scrape-recorder.ts'
import type { InvalidationGate } from '../targets/invalidation.ts'
import type { PlatformState, TargetStore } from '../targets/types.ts'
import type { InboundAuthSettings } from './middleware/auth.ts'
import type { Compressor } from './middleware/compression.ts'

export interface AppDeps {
  config: Config
  targets: TargetStore
  /** Where `/cache/invalidate` requests go (coalesced, spaced refreshes). */
  invalidation: InvalidationGate
  /** The state of each platform entry, for the status page. */
  platformStates: () => PlatformState[]
  scraper: LimitedScraper
  metrics: SelfMetrics
  /** Records every scrape result (outcome store, own metrics, log). */
  recorder: ScrapeRecorder
  logger: Logger
  /** This process's id; a request carrying it in `X-Promregator-Instance` is a loop. */
  instanceId: string
  version: string
  /** Last scrape outcome per target, for the status page. */
  outcomes: ScrapeOutcomes
  /** Inbound authentication per endpoint group. */
  auth: InboundAuthSettings
  /** True once shutdown began: `/-/ready` then answers 503 so no new traffic is routed here. */
  draining?: () => boolean
  now?: () => number
  /** Whole-body compressor for gzip/deflate responses (the binary's fast zlib); default: `CompressionStream`. */
  compressor?: Compressor
  /**
   * A full garbage collection (the binary: `Bun.gc(true)`), run once a `/metrics` answer is on its way:
   * one answer over 1,000 instances leaves ~80 MB of garbage (bodies, their index, the merged text),
   * and without it the next answers pile theirs on top before the runtime collects (bench/aggregate.ts).
   */
  collectGarbage?: () => void
  /** The instances of the product's own app, when it runs as several (`/promregatorMetrics/instances/<index>`, `/discovery`). */
  replicas?: Replicas
}
