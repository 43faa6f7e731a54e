/**
 * Where the configuration comes from: `--config FILE`, then PROMREGATOR_CONFIG_YAML, then
 * PROMREGATOR_CONFIG; secrets from the environment apply to the YAML variable as to a file.
 */
import { describe, expect, it } from 'vitest'
import { chooseConfigSource, loadConfigSource } from '../../src/config/load.ts'

const yaml = 'cf:\n  api_host: api.example.org\n  username: u\n'
const noFile = async (path: string): Promise<string> => {
  throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' })
}

describe('choosing the configuration source', () => {
  it('prefers the --config flag over both variables', () => {
    expect(chooseConfigSource('flag.yml', { PROMREGATOR_CONFIG_YAML: yaml, PROMREGATOR_CONFIG: 'env.yml' })).toEqual({
      kind: 'file',
      path: 'flag.yml',
      origin: 'flag.yml',
    })
  })

  it('prefers the YAML variable over the file variable', () => {
    expect(chooseConfigSource(undefined, { PROMREGATOR_CONFIG_YAML: yaml, PROMREGATOR_CONFIG: 'env.yml' })).toEqual({
      kind: 'text',
      text: yaml,
      origin: '$PROMREGATOR_CONFIG_YAML',
    })
  })

  it('falls back to the file variable, and ignores a blank YAML variable', () => {
    expect(chooseConfigSource(undefined, { PROMREGATOR_CONFIG_YAML: '  \n', PROMREGATOR_CONFIG: 'env.yml' })).toMatchObject({ kind: 'file', path: 'env.yml' })
  })

  it('gives nothing when nothing is set', () => {
    expect(chooseConfigSource(undefined, {})).toBeUndefined()
    expect(chooseConfigSource('', { PROMREGATOR_CONFIG: '' })).toBeUndefined()
  })
})

describe('loading the chosen source', () => {
  it('loads YAML from the variable without touching the file system, with CF_PASSWORD applied', async () => {
    const env = { PROMREGATOR_CONFIG_YAML: yaml, CF_PASSWORD: 's3cret' }
    const result = await loadConfigSource(chooseConfigSource(undefined, env)!, noFile, env)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.config).toMatchObject({ cf: { api_host: 'api.example.org', username: 'u', password: 's3cret' } })
  })

  it('names the variable in problems of the YAML it holds', async () => {
    const env = { PROMREGATOR_CONFIG_YAML: 'cf:\n  api_host: 12\n' }
    const result = await loadConfigSource(chooseConfigSource(undefined, env)!, noFile, env)
    expect(result).toEqual({ ok: false, problems: ['cf.api_host: expected a string, got number 12'] })
    const broken = await loadConfigSource({ kind: 'text', text: 'cf: [', origin: '$PROMREGATOR_CONFIG_YAML' }, noFile)
    expect(broken.ok).toBe(false)
    if (!broken.ok) expect(broken.problems[0]).toMatch(/^\$PROMREGATOR_CONFIG_YAML: invalid YAML/)
  })

  it('reads the file of a file source', async () => {
    const result = await loadConfigSource({ kind: 'file', path: 'p.yml', origin: 'p.yml' }, async () => `${yaml}  password: p\n`)
    expect(result.ok).toBe(true)
    const missing = await loadConfigSource({ kind: 'file', path: 'p.yml', origin: 'p.yml' }, noFile)
    expect(missing).toEqual({ ok: false, problems: ['p.yml: cannot read configuration: file not found'] })
  })
})
