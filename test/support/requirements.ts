/**
 * @module test/support/requirements
 * Tests that need a Debian program (prometheus, promtool, chromium) or the built binary skip
 * with a visible reason where it is missing; with `REQUIRE_E2E=1` (set by .ci/run) a missing
 * program fails the suite instead, so CI always runs them.
 */
import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'

/** Absolute path of a program on PATH, or undefined. */
export function findProgram(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name)
    if (dir && existsSync(candidate)) return candidate
  }
  return undefined
}

/**
 * Returns a reason to skip when something is missing, or undefined when all is there.
 * Under REQUIRE_E2E=1 a missing requirement throws, failing the test file.
 */
export function missing(requirements: Array<{ name: string; present: boolean; hint: string }>): string | undefined {
  const absent = requirements.filter((r) => !r.present)
  if (absent.length === 0) return undefined
  const reason = absent.map((r) => `${r.name} is missing (${r.hint})`).join('; ')
  if (process.env.REQUIRE_E2E === '1') throw new Error(`REQUIRE_E2E=1 but ${reason}`)
  console.warn(`SKIPPED: ${reason}`)
  return reason
}

/** The compiled binary built by `npm run build`. */
export const BINARY = new URL('../../dist/promregator', import.meta.url).pathname
