/**
 * @module test/http/harness
 * Shared set-up of the HTTP-surface tests: the app assembled from a YAML configuration (see
 * test/support/sim-config.ts for one pointing at a simulator) with a logger whose lines the test can read.
 */
import { assemble, type Assembled } from '../../src/assemble.ts'
import { loadConfigText } from '../../src/config/load.ts'
import type { Compressor } from '../../src/http/middleware/compression.ts'
import { createLogger, type LogFormat } from '../../src/log.ts'
import { SecretRegistry } from '../../src/secrets.ts'
import { configSecrets } from '../../src/assemble.ts'
import { proxyAwareFetch } from '../support/proxy-fetch.ts'

export interface Harness extends Assembled {
  lines: string[]
}

/** Loads the YAML (failing loudly on problems) and assembles the app with a collecting logger. */
export function assembleFrom(
  yaml: string,
  options: { format?: LogFormat; generatePassword?: () => string; fetch?: typeof fetch; compressor?: Compressor; collectGarbage?: () => void } = {},
): Harness {
  const loaded = loadConfigText(yaml)
  if (!loaded.ok) throw new Error(`config problems: ${loaded.problems.join('; ')}`)
  const lines: string[] = []
  const secrets = new SecretRegistry(configSecrets(loaded.config))
  const logger = createLogger({ level: 'debug', format: options.format ?? 'logfmt', secrets: () => secrets.forms(), write: (line) => lines.push(line) })
  const assembled = assemble(loaded.config, { fetch: options.fetch ?? proxyAwareFetch, logger, secrets, generatePassword: options.generatePassword, compressor: options.compressor, collectGarbage: options.collectGarbage })
  return { ...assembled, lines }
}

/** `Authorization` value for HTTP Basic. */
export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
}
