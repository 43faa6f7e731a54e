// Builds the single executable dist/promregator with `bun build --compile`.
// The same command is used by `npm run build`, .ci/run and the Dockerfile.
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'

const bun = new URL('../node_modules/.bin/bun', import.meta.url).pathname
let commit = process.env.BUILD_COMMIT ?? ''
if (!commit) {
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    commit = 'unknown'
  }
}
const outfile = process.argv[2] ?? 'dist/promregator'
mkdirSync('dist', { recursive: true })
execFileSync(
  bun,
  [
    'build',
    '--compile',
    '--minify',
    '--bytecode',
    '--format=esm',
    '--no-compile-autoload-dotenv',
    '--no-compile-autoload-bunfig',
    `--define`,
    `BUILD_COMMIT=${JSON.stringify(commit)}`,
    'src/main.ts',
    '--outfile',
    outfile,
  ],
  { stdio: 'inherit' },
)
