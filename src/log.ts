/**
 * @module log
 * One line per event, logfmt or JSON, with secrets redacted. Every module gets a {@link Logger}
 * passed in, so tests can collect lines and assert on them.
 */

export type Level = 'debug' | 'info' | 'warn' | 'error'
export type Fields = Record<string, unknown>

/** What the rest of the code logs through. */
export interface Logger {
  debug(msg: string, fields?: Fields): void
  info(msg: string, fields?: Fields): void
  warn(msg: string, fields?: Fields): void
  error(msg: string, fields?: Fields): void
}

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface LoggerOptions {
  level?: Level
  format?: 'logfmt' | 'json'
  /** Values that must never be printed (passwords, tokens, client secrets). */
  secrets?: () => Iterable<string>
  write?: (line: string) => void
  now?: () => Date
}

/** Creates a logger that writes one line per call. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = ORDER[options.level ?? 'info']
  const write = options.write ?? ((line: string) => console.error(line))
  const now = options.now ?? (() => new Date())
  const format = options.format ?? 'logfmt'
  const emit = (level: Level, msg: string, fields: Fields = {}) => {
    if (ORDER[level] < threshold) return
    const record: Fields = { time: now().toISOString(), level, msg, ...fields }
    const line = format === 'json' ? JSON.stringify(record, jsonReplacer) : toLogfmt(record)
    write(redact(line, options.secrets?.() ?? []))
  }
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  }
}

/** A logger that drops everything (for tests and benchmarks that do not look at logs). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }

function jsonReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? value.message : value
}

function toLogfmt(record: Fields): string {
  return Object.entries(record)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${logfmtValue(v)}`)
    .join(' ')
}

function logfmtValue(value: unknown): string {
  const text = value instanceof Error ? value.message : typeof value === 'string' ? value : JSON.stringify(value)
  return /^[^\s"=\\]+$/.test(text) ? text : JSON.stringify(text)
}

/** Replaces every occurrence of a secret (and its JSON-escaped form) by `[REDACTED]`. */
export function redact(line: string, secrets: Iterable<string>): string {
  let out = line
  for (const secret of secrets) {
    if (secret.length < 4) continue // too short to redact without mangling ordinary text
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])) {
      if (out.includes(form)) out = out.split(form).join('[REDACTED]')
    }
  }
  return out
}
