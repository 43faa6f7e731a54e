/**
 * @module test/ship/support
 * Runs what users run: the compiled binary (copied into an empty temporary folder and started
 * with `env -i`, so nothing of the repository or the caller's environment can help it) and the
 * Deno entry. Processes report their port in the `listening` log line; tests read it from there.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { terminate } from '../support/e2e.ts'
import { BINARY, missing } from '../support/requirements.ts'
import { simulatorYaml } from '../support/sim-config.ts'

/** Skip reason when dist/promregator is absent (a failure under REQUIRE_E2E=1). */
export function binaryMissing(): string | undefined {
  return missing([{ name: 'dist/promregator', present: existsSync(BINARY), hint: 'run `npm run build` first' }])
}

/** An empty temporary folder holding only a copy of the binary. */
export function isolatedBinary(): { dir: string; binary: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'promregator-ship-'))
  const binary = join(dir, 'promregator')
  copyFileSync(BINARY, binary)
  return { dir, binary, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** `env -i VAR=... program args` in `cwd`: the environment holds only what `env` lists. */
export function runIsolated(cwd: string, program: string, args: string[], env: Record<string, string> = {}) {
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${v}`)
  const result = spawnSync('env', ['-i', ...assignments, program, ...args], { cwd, encoding: 'utf8', timeout: 15_000 })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** A started server process with the port it announced. */
export interface RunningServer {
  child: ChildProcess
  port: number
  base: string
  /** Everything written to standard error so far. */
  stderr: () => string
  stop: () => Promise<void>
}

/**
 * Spawns a server process and resolves once its `listening` log line names the port
 * (`PORT=0` lets the OS choose one). Rejects with its output if it exits first.
 */
export function startServer(command: string, args: string[], options: { cwd: string; env: Record<string, string>; isolated?: boolean }): Promise<RunningServer> {
  const [program, programArgs] = options.isolated
    ? ['env', ['-i', ...Object.entries(options.env).map(([k, v]) => `${k}=${v}`), command, ...args]]
    : [command, args]
  const child = spawn(program, programArgs as string[], {
    cwd: options.cwd,
    env: options.isolated ? {} : { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  let stdout = ''
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()))
  const stop = () => terminate(child)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`no 'listening' line within 20 s:\n${stderr}${stdout}`))
    }, 20_000)
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString()
      const match = /msg=listening port=(\d+)/.exec(stderr)
      if (match) {
        clearTimeout(timer)
        const port = Number(match[1])
        resolve({ child, port, base: `http://127.0.0.1:${port}`, stderr: () => stderr, stop })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code} before listening:\n${stderr}${stdout}`))
    })
  })
}

/** Polls `url` until it answers `status` (discovery runs in the background after start). */
export async function waitForStatus(url: string, status = 200, timeoutMs = 15_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs
  let last = 'no answer'
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url)
      if (response.status === status) return response
      last = `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`
    } catch (error) {
      last = String(error)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`)
}

/**
 * Configuration for one target of the demo landscape: acme/dev/web-shop (3 instances), scraped
 * through the simulated gorouter. Exactly one org, space and app, so the test does not depend
 * on multi-value filters.
 */
export function webShopConfig(sim: { apiUrl: string; proxyUrl: string; username: string; password?: string }, extra = ''): string {
  return `${simulatorYaml(sim)}  targets:
    - { orgName: acme, spaceName: dev, applicationName: web-shop, protocol: http }
${extra}`
}
