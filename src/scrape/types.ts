/**
 * @module scrape/types
 * The shapes of the scrape stage: what one scrape gives back, what scrapes a target, and what adds
 * credentials to a scrape. Kept apart from the implementations so that none of them has to import
 * another to name them.
 */
import type { Format } from '../exposition/types.ts'
import type { ScrapeTarget } from '../model/target.ts'
import type { FailureReason } from './failures.ts'

/** A scraped body: text in a format we parse, or protobuf bytes, which are only passed through. */
export type ScrapedBody =
  | {
      format: Format
      body: string
      /** The body is not valid UTF-8 (`body` has U+FFFD in place of the bad bytes): no exposition at all. */
      invalidUtf8?: true
    }
  | { format: 'protobuf'; body: Uint8Array }

/** The outcome of one scrape: the body in its format, or why it failed. Never an exception. */
export type ScrapeResult =
  | ({
      ok: true
      target: ScrapeTarget
      /** The instance's Content-Type as sent (absent when it sent none). */
      contentType?: string
      durationMs: number
      bytes: number
    } & ScrapedBody)
  | { ok: false; target: ScrapeTarget; reason: FailureReason; message: string; status?: number; durationMs: number; bytes: number }

/** Bounds of one scrape that its caller sets. */
export interface ScrapeLimits {
  /**
   * When the caller's answer is due (`performance.now()` time): the scrape ends by then if that
   * comes before its configured `maxProcessingTime`, however long it waited for a free slot.
   */
  deadline?: number
  /**
   * Whose scrape this is (any value, compared by identity): scrapes of one caller, e.g. all of one
   * `/metrics` answer, share the scrape slots fairly with other callers (scrape/limits.ts).
   */
  caller?: unknown
  /**
   * The Accept header to send instead of the default (OpenMetrics, then text): a scraper's own,
   * passed on by `/singleTargetMetrics`. When it asks for protobuf, a protobuf answer is kept as bytes.
   */
  accept?: string
}

/** Scrapes one target. */
export interface Scraper {
  scrape(target: ScrapeTarget, signal?: AbortSignal, limits?: ScrapeLimits): Promise<ScrapeResult>
}

/** A scraper whose in-flight scrapes are capped, with counters for status pages and tests. */
export interface LimitedScraper extends Scraper {
  /** Scrapes running right now. */
  activeCount(): number
  /** Scrapes waiting for a free slot. */
  pendingCount(): number
}

/** Adds credentials to a scrape request. */
export interface Authenticator {
  /** Headers to send (e.g. `Authorization`). Rejects when no credential can be had. */
  headers(): Promise<Record<string, string>>
  /**
   * The target answered 401 to the headers `sent`: drop them if they are still the cached ones.
   * True if one retry with fresh credentials may succeed.
   */
  rejected?(sent: Record<string, string>): boolean
  /** Values that must never be logged. */
  readonly secrets: string[]
}
