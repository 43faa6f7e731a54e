/**
 * @module scripts/gen-config-doc
 * `bun scripts/gen-config-doc.ts` writes docs/configuration.md from the zod schema;
 * `--check` writes nothing and exits 1 when the file differs from what the schema gives
 * (CI runs this), or when a key has no `.describe()` text.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { configKeyRows, renderConfigDoc, undescribedKeys } from './config-doc.ts'

const target = new URL('../docs/configuration.md', import.meta.url).pathname
const rows = configKeyRows()
const undescribed = undescribedKeys(rows)
if (undescribed.length > 0) {
  console.error(`config doc: keys without a .describe() text in src/config/schema.ts: ${undescribed.join(', ')}`)
  process.exit(1)
}
const expected = renderConfigDoc(rows)

if (process.argv.includes('--check')) {
  let actual = ''
  try {
    actual = readFileSync(target, 'utf8')
  } catch {
    // a missing file is stale too
  }
  if (actual !== expected) {
    console.error('config doc: docs/configuration.md is stale; run `npm run docs:config` and commit the result')
    process.exit(1)
  }
  console.log(`config doc: docs/configuration.md is up to date (${rows.length} keys)`)
} else {
  writeFileSync(target, expected)
  console.log(`config doc: wrote docs/configuration.md (${rows.length} keys)`)
}
