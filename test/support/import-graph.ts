/**
 * @module test/support/import-graph
 * The real import graph of `src/`, read from the files (static imports and re-exports, `import
 * type`, and `import('…')` with a literal name, which also covers `typeof import('…')`), and the
 * checks the project's layering asks for: no circle, no import that runs back up the pipeline,
 * platforms kept to themselves.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'

/** file (relative to src/, e.g. `http/app.ts`) → the project files it imports. */
export type ImportGraph = Map<string, string[]>

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g

/** Reads every .ts/.tsx file below `root` (the project's `src/`). */
export function readImportGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map()
  const files = (readdirSync(root, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => /\.tsx?$/.test(f))
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8')
    const imports = new Set<string>()
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? match[3]!
      if (!specifier.startsWith('.')) continue
      const target = normalize(join(dirname(file), specifier))
      // Outside src/ (package.json): not part of the pipeline.
      if (!target.startsWith('..')) imports.add(target)
    }
    graph.set(normalize(file), [...imports])
  }
  return graph
}

/** Every circle of imports, each as the files in order (the first repeated at the end). */
export function findCircles(graph: ImportGraph): string[][] {
  const circles: string[][] = []
  const state = new Map<string, 'active' | 'done'>()
  const stack: string[] = []
  const visit = (file: string) => {
    state.set(file, 'active')
    stack.push(file)
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue
      if (state.get(next) === 'active') circles.push([...stack.slice(stack.indexOf(next)), next])
      else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(file, 'done')
  }
  for (const file of graph.keys()) if (!state.has(file)) visit(file)
  return circles
}

/** The stage a file belongs to: its first folder, or its own name for files at the top of `src/`. */
export function stageOf(file: string): string {
  const [first] = file.split('/')
  return file.includes('/') ? first! : first!.replace(/\.tsx?$/, '')
}

/** An import that breaks a rule, in words. */
export interface Violation {
  from: string
  to: string
  rule: string
}

/**
 * The layering of `src/`, lowest first: a file may import from its own stage and from stages
 * listed before it. `exposition/` is a self-contained library on the ground floor (it imports
 * nothing of the project), as are the plain data of `model/` and the logger.
 */
export const STAGES = [
  ['model', 'log', 'secrets', 'exposition', 'cli'],
  ['config'],
  ['net', 'oauth'],
  ['platform'],
  ['targets'],
  ['scrape'],
  ['aggregate'],
  ['self'],
  ['http'],
  ['assemble'],
  ['boot'],
  ['lifecycle'],
  ['main', 'main-deno'],
]

/** Checks every import of `graph` against the rules; an empty list means the tree reads as the pipeline. */
export function checkLayering(graph: ImportGraph): Violation[] {
  const rank = new Map(STAGES.flatMap((names, i) => names.map((name) => [name, i] as const)))
  const violations: Violation[] = []
  for (const [from, imports] of graph) {
    for (const to of imports) {
      const [fromStage, toStage] = [stageOf(from), stageOf(to)]
      const [fromRank, toRank] = [rank.get(fromStage), rank.get(toStage)]
      if (fromRank === undefined) violations.push({ from, to, rule: `stage '${fromStage}' is not in the layering` })
      else if (toRank === undefined) violations.push({ from, to, rule: `stage '${toStage}' is not in the layering` })
      else if (toRank > fromRank) violations.push({ from, to, rule: `'${fromStage}' comes before '${toStage}' in the pipeline and may not import from it` })
      if (fromStage === 'exposition' && toStage !== 'exposition') violations.push({ from, to, rule: 'exposition/ imports nothing of the project' })
      if (fromStage === 'platform' && ['targets', 'scrape', 'http', 'self'].includes(toStage)) violations.push({ from, to, rule: 'platform/ imports nothing from targets/, scrape/, http/, self/' })
      const platformOf = (file: string) => /^platform\/([^/]+)\//.exec(file)?.[1]
      const [fromPlatform, toPlatform] = [platformOf(from), platformOf(to)]
      if (toPlatform !== undefined && fromPlatform !== toPlatform && from !== 'platform/index.ts') {
        violations.push({ from, to, rule: `only platform/index.ts (and platform/${toPlatform}/ itself) may import from platform/${toPlatform}/` })
      }
    }
  }
  return violations
}
