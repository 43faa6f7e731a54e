// Builds the single executable dist/promregator with `bun build --compile`.
// The same command is used by `npm run build`, .ci/run and the Dockerfile.
//   node scripts/build.mjs [OUTFILE [ENTRY]]   (bench/startup.ts compiles its baseline server this way)
import { execFileSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

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
const entry = process.argv[3] ?? 'src/main.ts'
mkdirSync(dirname(outfile), { recursive: true })
execFileSync(
  bun,
  [
    'build',
    '--compile',
    '--minify',
    // Precompiled bytecode: `promregator --version` (load the bundle, run the light entry) takes ~11 ms with it,
    // ~30 ms without (bench/startup.ts). `--splitting` was tried too: no gain within noise, and that binary hung.
    '--bytecode',
    '--format=esm',
    '--no-compile-autoload-dotenv',
    '--no-compile-autoload-bunfig',
    // Bun's --smol (collect garbage more often) for the binary's runtime: measured by bench/memory.ts,
    // it lowers RSS by about 20% idle and under load at no measurable cost in bench/single-target.ts.
    '--compile-exec-argv=--smol',
    `--define`,
    `BUILD_COMMIT=${JSON.stringify(commit)}`,
    entry,
    '--outfile',
    outfile,
  ],
  { stdio: 'inherit' },
)
