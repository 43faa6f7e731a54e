/**
 * A real Prometheus reads every merged OpenMetrics answer of the conformance suites: each case of
 * ../shared/exposition-conformance/ is merged beside a healthy neighbour by the product's real path
 * (as in test/exposition/conformance.test.ts) and served as `/case/<n>` with the OpenMetrics
 * Content-Type; Debian's Prometheus scrapes them all (one target per case). promtool 2.42 reads
 * only text, so this is how the OpenMetrics answers meet Prometheus's own parser: every target is
 * `up` (a parse error would make it 0) and every case's neighbour sample is stored.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONTENT_TYPES } from '../../src/exposition/index.ts'
import { CONFORMANCE_DIR, mergeCase, readCases } from '../support/conformance.ts'
import { startPrometheus, terminate, waitFor } from '../support/e2e.ts'
import { findProgram, missing } from '../support/requirements.ts'
import { sharedMissing } from '../support/shared.ts'

const prometheusBin = findProgram('prometheus')
const skip = sharedMissing(CONFORMANCE_DIR) ?? missing([{ name: 'prometheus', present: !!prometheusBin, hint: 'apt-get install prometheus' }])

describe.skipIf(skip !== undefined)('every merged OpenMetrics answer of the suites, scraped by a real Prometheus', () => {
  const answers: string[] = []
  let server: Server
  let prometheus: Awaited<ReturnType<typeof startPrometheus>> | undefined
  let dir: string

  beforeAll(async () => {
    for (const c of readCases()) answers.push(mergeCase(c, 'openmetrics').merged.body)
    server = createServer((req, res) => {
      const body = answers[Number(/^\/case\/(\d+)$/.exec(req.url ?? '')?.[1] ?? -1)]
      if (body === undefined) return void res.writeHead(404).end()
      res.writeHead(200, { 'content-type': CONTENT_TYPES.openmetrics }).end(body)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`
    // One static target per case: its own metrics path, and its number as a label.
    const targets = answers.map((_, n) => `      - { targets: ['${address}'], labels: { __metrics_path__: /case/${n}, case: '${n}' } }\n`).join('')
    dir = mkdtempSync(join(tmpdir(), 'promregator-e2e-conformance-'))
    prometheus = await startPrometheus(prometheusBin!, dir, `  - job_name: cases\n    static_configs:\n${targets}`)
  }, 60_000)

  afterAll(async () => {
    await terminate(prometheus?.child)
    server?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('reads each one: every target up, every neighbour stored', async () => {
    const up = await waitFor('every case scraped once', async () => {
      const series = await prometheus!.query('up{job="cases"}')
      return series.length === answers.length ? series : undefined
    })
    const down = up.filter((s) => s.value[1] !== '1').map((s) => readCases()[Number(s.metric.case)]!.name)
    expect(down).toEqual([])
    const neighbours = await waitFor('every neighbour stored', async () => {
      const series = await prometheus!.query('count(neighbour_requests_total{job="cases"})')
      return series[0]?.value[1] === String(answers.length) ? series : undefined
    })
    expect(neighbours[0]!.value[1]).toBe(String(answers.length))
  }, 60_000)
})
