/**
 * Real Promregator configurations (../shared/compat/promregator-configs/: the original's docs across
 * its releases, its test resources, deployment files of its users) through `--check-config` of the
 * compiled binary. For each file the expectation is written here from what the original does with
 * it (its key classes and Spring Boot's binding): accepted or rejected, and for an accepted one the
 * API host and the number of targets it resolves. Fragments that are not whole configurations (no
 * `cf` section, a bare list) and broken YAML are rejected by both. Placeholders resolve from the
 * variables set here, as an operator's environment would hold them. A key the original reads is
 * never reported as unknown: one it does not need is said to be the original's, with why.
 */
import { readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SHARED, sharedMissing } from '../support/shared.ts'
import { binaryMissing, isolatedBinary, runIsolated } from './support.ts'

const DIR = 'compat/promregator-configs/'
const skip = sharedMissing(DIR) ?? binaryMissing()

type Expectation = { accepted: false } | { accepted: true; host: string; targets: number; env?: Record<string, string> }

const ok = (host: string, targets: number, env?: Record<string, string>): Expectation => ({ accepted: true, host, targets, ...(env ? { env } : {}) })
const REJECTED: Expectation = { accepted: false }
const EXAMPLE = 'api.cf.example.org'

/** What the original does with each file. */
const EXPECTED: Record<string, Expectation> = {
  'philips-labs-terraform-cloudfoundry-promregator-env-converted-camelcase.yml': ok('api.mycf.com', 1),
  'philips-labs-terraform-cloudfoundry-promregator-env-converted.yml': ok('api.mycf.com', 1),
  'promregator-docs-config-md-1.yml': ok(EXAMPLE, 0),
  'promregator-docs-config-md-13-logging-fragment.yml': REJECTED,
  // The client secret "should be provided via environment variable" (the file's own comment).
  'promregator-docs-documentation-md-2-oauth2xsuaaBasic.yml': ok(EXAMPLE, 2),
  'promregator-docs-documentation-md-3-oauth2xsuaaCertificate.yml': ok(EXAMPLE, 2),
  'promregator-docs-documentation-md-8-fragment.yml': REJECTED,
  'promregator-docs-documentation-md-9-fragment.yml': REJECTED,
  'promregator-docs-ha-setup-md-1-fragment.yml': REJECTED,
  'promregator-docs-ha-setup-md-1-with-cf.yml': ok(EXAMPLE, 1),
  'promregator-docs-outbound-authentication-md-5-fragment.yml': REJECTED,
  // `type: null`: an authenticator that authenticates nothing; `appName` is no key of the original either.
  'promregator-docs-outbound-authentication-md-5-with-cf.yml': ok(EXAMPLE, 3),
  'promregator-docs-passwords-in-config-md-1-fragment.yml': REJECTED,
  'promregator-docs-passwords-in-config-md-1-with-cf.yml': ok(EXAMPLE, 0),
  'promregator-docs-passwords-in-config-md-6-cipher-fragment.yml': REJECTED,
  'promregator-docs-preferredRouteRegex-examples-md-1-fragment.yml': REJECTED,
  'promregator-docs-preferredRouteRegex-examples-md-1-with-cf.yml': ok(EXAMPLE, 1),
  'promregator-docs-preferredRouteRegex-examples-md-5-fragment.yml': REJECTED,
  'promregator-docs-preferredRouteRegex-examples-md-6-with-cf.yml': ok(EXAMPLE, 1),
  'promregator-docs-quickstart-docker-md-5.yml': ok('<hereGoesTheAPIEndpointHostOnly!>', 1),
  'promregator-docs-quickstart-docker-md-6-fragment.yml': REJECTED,
  'promregator-docs-v0.1.0-config-md-1-apiHost.yml': ok(EXAMPLE, 0),
  'promregator-docs-v0.2.1-documentation-md-2-apiHost.yml': ok(EXAMPLE, 2),
  'promregator-docs-v0.4.2-outbound-authentication-md-4-badyaml.yml': REJECTED,
  'promregator-docs-v0.5.9-config-md-1-proxyHost.yml': ok(EXAMPLE, 0),
  'promregator-docs-v0.5.9-documentation-md-2-proxyHost-OAuth2XSUAA.yml': ok(EXAMPLE, 2),
  'promregator-docs-v0.9.2-documentation-md-2-OAuth2XSUAA.yml': ok(EXAMPLE, 2),
  'promregator-rel-0.11-test-auth-default-properties-with-cf.yml': ok(EXAMPLE, 3),
  'promregator-rel-0.11-test-endpoint-enabledLabelEnrichment-properties.yml': ok(EXAMPLE, 0),
  'promregator-src-main-resources-simulation.yml': ok('dummy.api.host.bogus', 100),
  // Its documents are all for profiles; the original's tests activate `simulation`.
  'promregator-src-test-resources-application-multidoc.yml': ok('dummy.api.host.bogus', 100, { SPRING_PROFILES_ACTIVE: 'simulation' }),
  'promregator-test-auth-default-properties-fragment.yml': REJECTED,
  'promregator-test-auth-default-properties-with-cf.yml': ok(EXAMPLE, 3),
  'promregator-test-default-properties.yml': ok(EXAMPLE, 0),
  'promregator-test-discovery-default-properties-fragment.yml': REJECTED,
  'promregator-test-endpoint-default-properties.yml': ok(EXAMPLE, 0),
  'promregator-test-endpoint-disabledLabelEnrichment-properties.yml': ok(EXAMPLE, 0),
  'promregator-test-endpoint-no_promregator_metrics-properties.yml': ok(EXAMPLE, 0),
  'promregator-test-integration-bosh-lite.yml': ok('api.bosh-lite.com', 1),
  'promregator-test-jmeter-application.yml': ok('api.host', 2),
  'promregator-test-scanner-default-properties-fragment.yml': REJECTED,
  'promregator-v0.10.0-test-integration-bluemix.yml': ok('api.eu-gb.bluemix.net', 1),
  'thestevenbell-promregator-discovery-stack-promregator.yml': ok('<url>', 1),
  'uktrade-docker-promregator-4a7e68e.yml': ok('api.example.org', 1),
  'uktrade-docker-promregator-f732c99.yml': ok('api.example.org', 2),
  'zuhlke-ah-poc-promregator-application.yml': ok('api.run.pivotal.io', 1),
  'zuhlke-ah-poc-promregator-docker-promregator.yml': ok('api.run.pivotal.io', 1),
}

/** An operator's environment: the secrets the docs say to set, and the placeholders' variables. */
const ENV: Record<string, string> = {
  CF_PASSWORD: 'cf-password',
  PROMREGATOR_AUTHENTICATOR_OAUTH2XSUAABASIC_CLIENT_SECRET: 'client-secret',
  PROMREGATOR_AUTHENTICATOR_OAUTH2XSUAACERTIFICATE_CLIENT_KEY: 'client-key',
  MY_PASSWORD_OS_VARIABLE: 'target-password',
  PASSWORD: 'cf-password',
  CF_USERNAME: 'cf-user',
  api_host: 'api.example.org',
  metric_endpoint_username: 'metrics',
  metric_endpoint_password: 'metrics-password',
  ecs_staging_org: 'staging-org',
  ecs_staging_space: 'staging-space',
  ecs_staging_app: 'staging-app',
  ecs_prod_org: 'prod-org',
  ecs_prod_space: 'prod-space',
  ecs_prod_app: 'prod-app',
}

/** Keys in these files that the original does not know either (Spring Boot ignores them there too). */
const UNKNOWN_TO_BOTH = [/\.anotherconfig$/, /\.appName$/]

describe.skipIf(skip !== undefined)('real Promregator configurations through --check-config', () => {
  const files = skip ? [] : readdirSync(`${SHARED}${DIR}`).filter((f) => f.endsWith('.yml')).sort()

  it('has an expectation for every file', () => {
    expect(files.filter((f) => !(f in EXPECTED))).toEqual([])
    expect(files.length).toBeGreaterThan(40)
  })

  it.each(Object.entries(EXPECTED))('%s', (file, expected) => {
    const box = isolatedBinary()
    try {
      const run = runIsolated(box.dir, box.binary, ['--check-config', '--config', `${SHARED}${DIR}${file}`], { ...ENV, ...(expected.accepted ? expected.env ?? {} : {}) })
      const output = `${run.stdout}${run.stderr}`
      if (!expected.accepted) {
        expect(run.status, output).toBe(2)
        return
      }
      expect(run.status, output).toBe(0)
      const summary = /configuration OK; (\d+) targets? on (\S+)/.exec(run.stdout)
      expect(summary?.slice(1), output).toEqual([String(expected.targets), expected.host])
      // Keys of the original it does not need are said to be so (config/original-keys.ts); "unknown" is left for the rest.
      const unknown = [...run.stderr.matchAll(/warning: (\S+): unknown key, ignored/g)].map((m) => m[1]!)
      expect(unknown.filter((key) => !UNKNOWN_TO_BOTH.some((r) => r.test(key))), output).toEqual([])
      // No secret of the environment in what --check-config prints.
      for (const secret of ['cf-password', 'client-secret', 'client-key', 'target-password', 'metrics-password']) expect(output).not.toContain(secret)
    } finally {
      box.cleanup()
    }
  })
})
