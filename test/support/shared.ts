/**
 * @module test/support/shared
 * The real-world material beside the clone (`../shared/`: the Cloud Controller's example documents,
 * real Promregator configurations, the exposition suites). Tests read it in place; where it is
 * absent they skip saying so, and under REQUIRE_E2E=1 (CI, which has it) its absence is a failure.
 */
import { existsSync, readFileSync } from 'node:fs'
import { missing } from './requirements.ts'

/** `../shared/` of the repository. */
export const SHARED = new URL('../../../shared/', import.meta.url).pathname

/** A reason to skip when `../shared/<path>` is not there, else undefined. */
export function sharedMissing(path: string): string | undefined {
  return missing([{ name: `../shared/${path}`, present: existsSync(`${SHARED}${path}`), hint: 'the reference material is expected beside the clone' }])
}

/** `../shared/<path>` parsed as JSON. */
export function readSharedJson(path: string): unknown {
  return JSON.parse(readFileSync(`${SHARED}${path}`, 'utf8'))
}
