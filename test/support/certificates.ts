/**
 * @module test/support/certificates
 * Throw-away PKI for TLS tests, generated at test time with the `openssl` CLI (no key is ever
 * committed): a CA, a server certificate for localhost/127.0.0.1, a client certificate, and a
 * second, untrusted CA with its own client certificate for the negative cases.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findProgram, missing } from './requirements.ts'

/** PEM strings of one certificate and its key. */
export interface KeyPair {
  cert: string
  key: string
}

export interface TestPki {
  /** The CA that signed `server` and `client`. */
  ca: string
  server: KeyPair
  /** Common name `promregator-client`. */
  client: KeyPair
  /** Signed by another CA nobody trusts. */
  strangerClient: KeyPair
  /** A self-signed server certificate for localhost (trusted by nobody). */
  selfSignedServer: KeyPair
}

/** Why the PKI cannot be made here (then TLS tests skip, or fail under REQUIRE_E2E=1), or undefined. */
export function pkiUnavailable(): string | undefined {
  return missing([{ name: 'openssl', present: findProgram('openssl') !== undefined, hint: 'apt-get install openssl' }])
}

/** Generates a fresh PKI (EC P-256 keys, valid for a day). Takes a few tens of milliseconds. */
export function generatePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'promregator-pki-'))
  const file = (name: string) => join(dir, name)
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  try {
    const makeCa = (name: string) => openssl('req', '-x509', ...ecKey, '-keyout', file(`${name}.key`), '-out', file(`${name}.crt`), '-subj', `/CN=${name}`, '-days', '1')
    const issue = (name: string, ca: string, cn: string, extensions: string) => {
      writeFileSync(file(`${name}.ext`), extensions)
      openssl('req', ...ecKey, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${cn}`)
      openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${ca}.crt`), '-CAkey', file(`${ca}.key`), '-CAcreateserial', '-out', file(`${name}.crt`), '-days', '1', '-extfile', file(`${name}.ext`))
    }
    const read = (name: string): KeyPair => ({ cert: readFileSync(file(`${name}.crt`), 'utf8'), key: readFileSync(file(`${name}.key`), 'utf8') })
    makeCa('test-ca')
    makeCa('stranger-ca')
    issue('server', 'test-ca', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n')
    issue('client', 'test-ca', 'promregator-client', 'extendedKeyUsage=clientAuth\n')
    issue('stranger', 'stranger-ca', 'promregator-client', 'extendedKeyUsage=clientAuth\n')
    openssl('req', '-x509', ...ecKey, '-keyout', file('self.key'), '-out', file('self.crt'), '-subj', '/CN=localhost', '-days', '1', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1')
    return {
      ca: readFileSync(file('test-ca.crt'), 'utf8'),
      server: read('server'),
      client: read('client'),
      strangerClient: read('stranger'),
      selfSignedServer: read('self'),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
