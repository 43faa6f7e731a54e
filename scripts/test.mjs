// Runs the test suite with vitest and ends with the plain line CI reads:
// "N passed, N failed, N skipped". Extra arguments go to vitest (e.g. a path filter).
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'

mkdirSync('.tmp', { recursive: true })
const report = '.tmp/vitest-report.json'
rmSync(report, { force: true })
const vitest = new URL('../node_modules/.bin/vitest', import.meta.url).pathname
const run = spawnSync(vitest, ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], {
  stdio: 'inherit',
})
let summary
try {
  const json = JSON.parse(readFileSync(report, 'utf8'))
  summary = { passed: json.numPassedTests, failed: json.numFailedTests, skipped: json.numPendingTests + json.numTodoTests }
  if (!json.success && summary.failed === 0) summary.failed = json.numFailedTestSuites || 1
} catch {
  summary = { passed: 0, failed: 1, skipped: 0 }
}
console.log(`\n${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`)
process.exit(run.status === 0 && summary.failed === 0 ? 0 : 1)
