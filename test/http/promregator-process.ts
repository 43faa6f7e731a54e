/**
 * @module test/http/promregator-process
 * Runs the product as its own process (`bun src/main.ts`, what the binary is built from) with a
 * configuration file, collects every line it writes, and finds the port it listens on.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUN } from '../support/sim-process.ts'

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname

export interface RunningPromregator {
  child: ChildProcess
  port: number
  /** Everything written to stdout and stderr so far. */
  output(): string
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>
  /** Waits until the output matches `pattern` (rejects after `ms`). */
  waitFor(pattern: RegExp, ms?: number): Promise<void>
  stop(): Promise<void>
}

/** Starts `bun src/main.ts --config <file>` on an ephemeral port and waits until it listens. */
export async function startPromregator(configYaml: string, env: Record<string, string> = {}): Promise<RunningPromregator> {
  const dir = mkdtempSync(join(tmpdir(), 'promregator-test-'))
  const file = join(dir, 'config.yaml')
  writeFileSync(file, configYaml)
  const child = spawn(BUN, [MAIN, '--config', file], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const listeners = new Set<() => void>()
  const append = (d: Buffer) => {
    output += d.toString()
    for (const l of listeners) l()
  }
  child.stdout!.on('data', append)
  child.stderr!.on('data', append)
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => {
    rmSync(dir, { recursive: true, force: true })
    resolve(code ?? signal ?? 'unknown')
  }))
  const waitFor = (pattern: RegExp, ms = 15_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(output)) {
          listeners.delete(check)
          clearTimeout(timer)
          resolve()
        }
      }
      const timer = setTimeout(() => {
        listeners.delete(check)
        reject(new Error(`no output matching ${pattern} within ${ms} ms; output so far:\n${output}`))
      }, ms)
      listeners.add(check)
      void exited.then(() => {
        if (!pattern.test(output)) {
          listeners.delete(check)
          clearTimeout(timer)
          reject(new Error(`process exited before printing ${pattern}; output:\n${output}`))
        }
      })
      check()
    })
  await waitFor(/msg=listening|"msg":"listening"/)
  const port = Number(/\bport[=":]+(\d+)/.exec(output.slice(output.search(/msg=listening|"msg":"listening"/)))?.[1])
  if (!port) throw new Error(`no port in output:\n${output}`)
  return {
    child,
    port,
    output: () => output,
    exited,
    waitFor,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}
