/**
 * The documentation says what the code does: docs/configuration.md is what the schema generates
 * (the same check CI runs with `npm run docs:check`); every configuration example in docs/ loads
 * without a problem or a warning; every Prometheus example passes `promtool check config` and uses
 * only discovery labels that /discovery writes; the migration tables agree with the schema.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml, stringify } from 'yaml'
import { configKeyRows, renderConfigDoc, undescribedKeys } from '../../scripts/config-doc.ts'
import { ORIGINAL_KEYS_NOT_NEEDED } from '../../src/config/original-keys.ts'
import { loadConfigText } from '../../src/config/load.ts'
import { findProgram, missing } from '../support/requirements.ts'

const root = new URL('../../', import.meta.url).pathname
const read = (path: string) => readFileSync(join(root, path), 'utf8')
const DOCS = ['docs/cloud-foundry.md', 'docs/prometheus.md', 'docs/migrating-from-promregator.md', 'README.md']

/** Fenced ```yaml blocks of a Markdown file, parsed. */
function yamlBlocks(path: string): { text: string; value: Record<string, unknown> }[] {
  return [...read(path).matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => ({ text: m[1]!, value: parseYaml(m[1]!) as Record<string, unknown> }))
}

/** Key paths of one table of the migration guide, found by the heading above it. */
function tableKeys(heading: string): string[] {
  const text = read('docs/migrating-from-promregator.md')
  const start = text.indexOf(heading)
  expect(start, heading).toBeGreaterThan(-1)
  const section = text.slice(start).split(/\n#{2,3} /)[0]!
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!)
}

describe('docs/configuration.md', () => {
  it('is what the schema generates (run `npm run docs:config` after changing src/config/schema.ts)', () => {
    expect(read('docs/configuration.md')).toBe(renderConfigDoc())
  })

  it('has a meaning for every key', () => {
    expect(undescribedKeys()).toEqual([])
  })
})

describe('configuration examples in the docs', () => {
  const examples = DOCS.flatMap((path) =>
    yamlBlocks(path)
      .filter((b) => b.value && ('promregator' in b.value || 'cf' in b.value) && !('applications' in b.value))
      .map((b) => ({ path, ...b })),
  )

  it('exist', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4)
  })

  it('load without a problem or a warning', () => {
    for (const example of examples) {
      // A fragment about `promregator:` alone gets the smallest `cf` block.
      const text = 'cf' in example.value ? example.text : `cf: { api_host: api.example.org, username: u, password: p }\n${example.text}`
      const loaded = loadConfigText(text, { CF_PASSWORD: 'from-the-environment' }, example.path)
      expect(loaded.ok ? loaded.warnings : loaded.problems, `${example.path}:\n${example.text}`).toEqual([])
    }
  })
})

describe('Prometheus examples', () => {
  const jobs = DOCS.flatMap((path) =>
    yamlBlocks(path).flatMap((b) => ((b.value?.scrape_configs as Record<string, unknown>[] | undefined) ?? []).map((job) => ({ path, job }))),
  )

  it('use only discovery labels that /discovery writes', () => {
    // The platforms choose their targets' labels; /discovery adds the path.
    const sources = ['src/http/routes/discovery.ts', ...readdirSync('src/platform', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => `src/platform/${f}`)]
    const written = new Set(sources.flatMap((path) => read(path).match(/__meta_promregator_target_\w+/g) ?? []))
    const used = DOCS.flatMap((path) => read(path).match(/__meta_promregator_target_\w+/g) ?? [])
    expect(used.length).toBeGreaterThan(10)
    expect([...new Set(used)].filter((label) => !written.has(label))).toEqual([])
  })

  const skip = missing([{ name: 'promtool', present: !!findProgram('promtool'), hint: 'Debian package prometheus' }])
  it.skipIf(skip)('pass promtool check config', () => {
    expect(jobs.length).toBeGreaterThanOrEqual(5)
    const dir = mkdtempSync(join(tmpdir(), 'promregator-docs-'))
    try {
      // password_file must exist for promtool; the job names must be unique in one file.
      writeFileSync(join(dir, 'password'), 'secret\n')
      const scrapeConfigs = jobs.map(({ path, job }, i) => {
        const copy = JSON.parse(JSON.stringify(job).replaceAll('/etc/prometheus/secrets/promregator-password', join(dir, 'password'))) as Record<string, unknown>
        return { ...copy, job_name: `${String(copy.job_name)}-${i}-${path.replace(/\W+/g, '-')}` }
      })
      writeFileSync(join(dir, 'prometheus.yml'), stringify({ scrape_configs: scrapeConfigs }))
      const output = execFileSync('promtool', ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      expect(output).toContain('SUCCESS')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('docs/migrating-from-promregator.md', () => {
  const schemaKeys = new Set(configKeyRows().map((r) => r.path.replace(/^cf\[\]/, 'cf')))

  it('lists as carried over only keys that exist', () => {
    const carried = tableKeys('## What carries over unchanged')
    expect(carried.length).toBeGreaterThan(40)
    expect(carried.filter((key) => !schemaKeys.has(key))).toEqual([])
  })

  it('lists as ignored only keys that load with a warning naming them', () => {
    const ignored = tableKeys('### Keys that are read but ignored')
    expect(ignored.length).toBeGreaterThan(10)
    for (const key of ignored) {
      expect(schemaKeys.has(key), key).toBe(false)
      const nested = key.split('.').reduceRight<unknown>((value, part) => ({ [part]: value }), 1) as Record<string, Record<string, unknown>>
      const document = { ...nested, cf: { api_host: 'api.example.org', username: 'u', password: 'p', ...(nested.cf ?? {}) } }
      const loaded = loadConfigText(stringify(document))
      expect(loaded.ok, key).toBe(true)
      if (!loaded.ok) continue
      expect(loaded.warnings).toHaveLength(1)
      expect(key.startsWith(loaded.warnings[0]!.split(':')[0]!), `${key}: ${loaded.warnings[0]}`).toBe(true)
      // Said to be a key of the original, not taken for a typo.
      expect(loaded.warnings[0], key).toContain('a key of the original not needed here')
    }
    // The same list as the loader's.
    expect([...ignored].sort()).toEqual(Object.keys(ORIGINAL_KEYS_NOT_NEEDED).sort())
  })
})
