/**
 * The Dockerfile and manifest.yml agree with the build: the image builds with the same commands
 * as CI and copies every file the build reads; the final stage holds only the binary, runs as
 * non-root and checks its health with a flag the binary has; the manifest pushes the folder the
 * build writes, starts the binary by its name and checks an endpoint the app serves. The binary
 * itself needs only glibc, in a version that Cloud Foundry's cflinuxfs4 and distroless have.
 * No Docker engine or hadolint here: dockerfile-utils lints the Dockerfile instead.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { validate } from 'dockerfile-utils'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { assemble } from '../../src/assemble.ts'
import { loadConfigText } from '../../src/config/load.ts'
import { silentLogger } from '../../src/log.ts'
import { BINARY, findProgram, missing } from '../support/requirements.ts'

const root = new URL('../../', import.meta.url).pathname
const read = (path: string) => readFileSync(join(root, path), 'utf8')

/** Dockerfile instructions with continuation lines joined: `[keyword, arguments]`, stage by stage. */
function instructions(text: string): { stage: number; keyword: string; args: string }[] {
  const out: { stage: number; keyword: string; args: string }[] = []
  let stage = -1
  for (const line of text.replace(/\\\n\s*/g, ' ').split('\n')) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line)
    if (!match || line.trimStart().startsWith('#')) continue
    const keyword = match[1]!.toUpperCase()
    if (keyword === 'FROM') stage++
    out.push({ stage, keyword, args: match[2]!.trim() })
  }
  return out
}

/** The output file of scripts/build.mjs (`dist/promregator`). */
function buildOutput(): string {
  const match = /process\.argv\[2\] \?\? '([^']+)'/.exec(read('scripts/build.mjs'))
  expect(match, 'scripts/build.mjs names its output file').not.toBeNull()
  return match![1]!
}

describe('Dockerfile', () => {
  const text = read('Dockerfile')
  const all = instructions(text)
  const lastStage = Math.max(...all.map((i) => i.stage))
  const final = all.filter((i) => i.stage === lastStage)
  const build = all.filter((i) => i.stage < lastStage)

  it('passes the Dockerfile linter without a diagnostic', () => {
    expect(validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([])
  })

  it('builds with the same commands as CI', () => {
    const runs = build.filter((i) => i.keyword === 'RUN').map((i) => i.args)
    const ci = read('.ci/run')
    for (const command of ['npm ci', 'npm run build']) {
      expect(runs.some((r) => r.includes(command)), `Dockerfile runs ${command}`).toBe(true)
      expect(ci).toContain(command)
    }
  })

  it('copies every file the build reads into the build stage', () => {
    const copied = build
      .filter((i) => i.keyword === 'COPY')
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1))
      .map((p) => p.replace(/^\.\//, '').replace(/\/$/, ''))
    const isCopied = (file: string) => copied.some((c) => file === c || file.startsWith(`${c}/`))
    // Every module src/ imports by a relative path (package.json for the version, for one).
    const needed = new Set(['package.json', 'package-lock.json', 'scripts/build.mjs', 'bunfig.toml'])
    for (const file of walk(join(root, 'src'))) {
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        needed.add(relative(root, resolve(dirname(file), spec!)))
      }
    }
    expect([...needed].filter((f) => !isCopied(f))).toEqual([])
  })

  it('ships only the binary in the final stage, as a non-root user, with a health check the binary supports', () => {
    expect(final[0]!.args).toMatch(/^gcr\.io\/distroless\//)
    const copies = final.filter((i) => i.keyword === 'COPY')
    expect(copies).toHaveLength(1)
    const [source, destination] = copies[0]!.args.replace(/^--from=\S+\s+/, '').split(/\s+/)
    expect(source).toBe(`/src/${buildOutput()}`)
    expect(final.some((i) => i.keyword === 'RUN')).toBe(false)
    const user = final.find((i) => i.keyword === 'USER')?.args
    expect(user).toBeDefined()
    expect(['root', '0']).not.toContain(user)
    const entrypoint = JSON.parse(final.find((i) => i.keyword === 'ENTRYPOINT')!.args) as string[]
    expect(entrypoint).toEqual([destination])
    const healthcheck = final.find((i) => i.keyword === 'HEALTHCHECK')!.args
    const command = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD') + 3).trim()) as string[]
    expect(command[0]).toBe(destination)
    expect(read('src/cli.ts')).toContain(`'${command[1]}'`) // the flags of both entry points
  })

  it('listens on the port it exposes, the one --healthcheck asks', () => {
    const env = final.filter((i) => i.keyword === 'ENV').map((i) => i.args).join(' ')
    const port = /\bPORT=(\d+)/.exec(env)?.[1]
    expect(port).toBeDefined()
    expect(final.find((i) => i.keyword === 'EXPOSE')?.args).toBe(port)
  })
})

describe('manifest.yml', () => {
  const manifest = parseYaml(read('manifest.yml')) as { applications: Record<string, unknown>[] }
  const app = manifest.applications[0]!

  it('pushes the build output with the binary buildpack and starts the binary', () => {
    const output = buildOutput()
    expect(app.buildpacks).toEqual(['binary_buildpack'])
    expect(app.path).toBe(dirname(output))
    expect(app.command).toBe(`./${output.split('/').pop()}`)
  })

  it('asks for little memory, far below the 700 MB-1 GB of the Java original', () => {
    const memory = /^(\d+)(M|MB|G|GB)$/.exec(String(app.memory))
    expect(memory).not.toBeNull()
    const mb = Number(memory![1]) * (memory![2]!.startsWith('G') ? 1024 : 1)
    expect(mb).toBeLessThanOrEqual(256)
  })

  it('checks liveness on an endpoint that answers before discovery and readiness on one that waits for it', async () => {
    expect(app['health-check-type']).toBe('http')
    expect(app['readiness-health-check-type']).toBe('http')
    const liveness = String(app['health-check-http-endpoint'])
    const readiness = String(app['readiness-health-check-http-endpoint'])
    // A Cloud Controller that is not there: discovery cannot finish.
    const loaded = loadConfigText('cf:\n  api_host: http://127.0.0.1:9\n  username: u\n  password: p\n')
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'))
    const assembled = assemble(loaded.config, { fetch: globalThis.fetch, logger: silentLogger })
    try {
      // Alive (no restart loop while the Cloud Controller is away) ...
      expect((await assembled.app.request(liveness)).status).toBe(200)
      // ... but not ready before the first discovery (out of the route meanwhile).
      expect((await assembled.app.request(readiness)).status).toBe(503)
      expect((await assembled.app.request('/no-such-endpoint')).status).toBe(404)
    } finally {
      ;(assembled as { stop?: () => void }).stop?.()
    }
  })

  it('sets only environment variables that the binary reads', () => {
    const usage = ['src/main.ts', 'src/lifecycle.ts', 'src/cli.ts'].map(read).join('\n')
    for (const name of Object.keys((app.env ?? {}) as Record<string, unknown>)) expect(usage).toContain(name)
  })
})

describe('the binary needs nothing but glibc', () => {
  const skip =
    missing([{ name: 'dist/promregator', present: existsSync(BINARY), hint: 'run `npm run build` first' }]) ??
    missing([{ name: 'readelf/objdump', present: !!findProgram('readelf') && !!findProgram('objdump'), hint: 'Debian package binutils' }])

  it.skipIf(skip)('links only glibc libraries, at most GLIBC_2.35 (cflinuxfs4 has 2.35, distroless debian12 2.36)', () => {
    const dynamic = execFileSync('readelf', ['-d', BINARY], { encoding: 'utf8' })
    const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!)
    const glibc = new Set(['libc.so.6', 'libm.so.6', 'libpthread.so.0', 'libdl.so.2', 'librt.so.1', 'ld-linux-x86-64.so.2', 'ld-linux-aarch64.so.1'])
    expect(needed.filter((lib) => !glibc.has(lib))).toEqual([])
    const symbols = execFileSync('objdump', ['-T', BINARY], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    const versions = [...symbols.matchAll(/GLIBC_(\d+)\.(\d+)/g)].map((m) => Number(m[1]) * 1000 + Number(m[2]))
    expect(Math.max(...versions)).toBeLessThanOrEqual(2035)
  })
})

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') || path.endsWith('.tsx') ? [path] : []
  })
}
