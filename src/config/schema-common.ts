/**
 * @module config/schema-common
 * Building blocks shared by the parts of the configuration schema (schema.ts composes them).
 */
import { z } from 'zod'
import { envVariableOf } from './env-names.ts'

export const port = z.number().int().min(1).max(65535)
export const millis = (fallback: number, what: string) =>
  z.number().int().positive().default(fallback).describe(`${what} (milliseconds).`)

/** A regular expression given as a string; it must compile. */
export const regex = z.string().refine((source) => compiles(source), { message: 'invalid regular expression' })

/** The environment variable of a secret key, quoted for a description. */
export const env = (path: string) => `\`${envVariableOf(path)}\``
export const authenticatorEnv = (key: string) =>
  `Env ${env(`promregator.authenticator.${key}`)} overrides it for \`promregator.authenticator\`, ${env(`promregator.targetAuthenticators[].${key}`)} for a target authenticator.`

function compiles(source: string): boolean {
  try {
    new RegExp(source)
    return true
  } catch {
    return false
  }
}

export const proxySchema = z
  .object({
    host: z.string().min(1).describe('Host of the HTTP forward proxy.'),
    port: port.describe('Port of the HTTP forward proxy.'),
  })
  .describe('HTTP forward proxy for outbound requests.')

export const seconds = (fallback: number, what: string) => z.number().positive().default(fallback).describe(`${what} (seconds).`)
