/**
 * @module log
 * One line per event, logfmt or JSON, with secrets redacted. Every module gets a {@link Logger}
 * passed in, so tests can collect lines and assert on them. Redaction happens on the finished
 * line, so a secret inside an error message of a dependency is caught as well as one in a field.
 */

/** Log levels, least severe first. */
export const LEVELS = ['debug', 'info', 'warn', 'error'] as const
export type Level = (typeof LEVELS)[number]
/** Line formats. */
export const LOG_FORMATS = ['logfmt', 'json'] as const
export type LogFormat = (typeof LOG_FORMATS)[number]
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
  format?: LogFormat
  /** Spellings of the values that must never be printed (passwords, tokens, client secrets: a `SecretRegistry`'s `forms()`); read at every line, so it may grow. */
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

/**
 * Credentials recognisable by their shape, redacted even when nobody registered them:
 * `Authorization`-style values (`Bearer x`, `Basic x`) and the password of a URL (`//user:pw@`).
 */
const SHAPED_SECRETS: Array<[RegExp, string]> = [
  // The lookahead (a digit or a token punctuation mark) spares prose such as "basic authentication".
  [/\b(bearer|basic)(\s+|%20)(?=[A-Za-z]*[0-9._~+/=%-])[A-Za-z0-9._~+/=%-]{8,}/gi, '$1$2[REDACTED]'],
  [/(\/\/[^\s/:@"]+:)[^\s/@"]+@/g, '$1[REDACTED]@'],
]

/**
 * Replaces every credential recognisable by its shape and every occurrence of the given strings by
 * `[REDACTED]`. `forms` are spellings as they appear in text: a registry's `forms()`, or
 * `secretForms(value)` (secrets.ts) for a value of one's own.
 */
export function redact(line: string, forms: Iterable<string>): string {
  let out = line
  for (const [pattern, replacement] of SHAPED_SECRETS) out = out.replace(pattern, replacement)
  for (const form of forms) {
    if (form.length >= 4 && out.includes(form)) out = out.split(form).join('[REDACTED]')
  }
  return out
}
