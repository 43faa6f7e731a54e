/**
 * @module scripts/config-doc
 * Renders docs/configuration.md from the zod schema (src/config/schema.ts): one row per key
 * with its type, default and the `.describe()` text. Zod's own JSON Schema export does the
 * walking (defaults, bounds, enums, descriptions), so this module only lays rows out. Pure: the
 * CLI (gen-config-doc.ts) writes or checks the file, the test compares it.
 */
import { z } from 'zod'
import { CONFIG_FILE_ENV, CONFIG_YAML_ENV, ENV_OVERRIDES } from '../src/config/load.ts'
import { configSchema } from '../src/config/schema.ts'

/** The subset of JSON Schema that zod emits for this configuration. */
interface JsonSchema {
  type?: string
  description?: string
  default?: unknown
  enum?: unknown[]
  format?: string
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  minLength?: number
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  anyOf?: JsonSchema[]
}

/** One documented key. */
export interface ConfigKeyRow {
  path: string
  type: string
  /** Rendered default, `required`, or empty for optional keys without a default. */
  default: string
  description: string
  /** True for mappings and lists of mappings whose keys get rows of their own. */
  container: boolean
}

/** Walks the schema into rows, depth first, in declaration order. */
export function configKeyRows(): ConfigKeyRow[] {
  const root = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema
  const rows: ConfigKeyRow[] = []
  const seen = new Set<string>()
  const visit = (schema: JsonSchema, path: string, required: boolean) => {
    // `cf` is one mapping or a list of them: its keys are listed once (`cf[].x` is `cf.x` again).
    const samePath = path.replace(/\[\]/g, '')
    if (seen.has(samePath)) return
    seen.add(samePath)
    const alternatives = schema.anyOf ?? [schema]
    rows.push({
      path,
      type: alternatives.map(typeOf).join(' or '),
      default: 'default' in schema ? renderDefault(schema.default) : required ? 'required' : '',
      description: schema.description ?? '',
      container: alternatives.some((a) => childrenOf(a) !== undefined),
    })
    for (const alternative of alternatives) visitChildren(alternative, path)
  }
  const visitChildren = (schema: JsonSchema, path: string) => {
    const children = childrenOf(schema)
    if (!children) return
    const childPath = schema.type === 'array' ? `${path}[]` : path
    const requiredKeys = new Set((schema.type === 'array' ? schema.items?.required : schema.required) ?? [])
    for (const [key, child] of Object.entries(children)) visit(child, `${childPath}.${key}`, requiredKeys.has(key))
  }
  const topRequired = new Set(root.required ?? [])
  for (const [key, child] of Object.entries(root.properties ?? {})) visit(child, key, topRequired.has(key))
  return rows
}

function childrenOf(schema: JsonSchema): Record<string, JsonSchema> | undefined {
  return schema.properties ?? (schema.type === 'array' ? schema.items?.properties : undefined)
}

/** Leaf keys without a `.describe()` text: the doc would not say what they mean. */
export function undescribedKeys(rows: ConfigKeyRow[] = configKeyRows()): string[] {
  return rows.filter((r) => !r.container && r.description.trim() === '').map((r) => r.path)
}

function typeOf(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((v) => `\`${String(v)}\``).join(' | ')
  switch (schema.type) {
    case 'integer':
      return `integer${bounds(schema)}`
    case 'number':
      return `number${bounds(schema)}`
    case 'string':
      return schema.format === 'uri' ? 'URL' : 'string'
    case 'boolean':
      return 'boolean'
    case 'object':
      return 'mapping'
    case 'array':
      return schema.items?.type === 'object' ? 'list of mappings' : `list of ${typeOf(schema.items ?? {})}s`
    default:
      return schema.type ?? 'any'
  }
}

function bounds(schema: JsonSchema): string {
  const real = (n: number | undefined) => (n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined)
  schema = { ...schema, minimum: real(schema.minimum), maximum: real(schema.maximum) }
  if (schema.minimum !== undefined && schema.maximum !== undefined) return ` ${schema.minimum}–${schema.maximum}`
  if (schema.exclusiveMinimum !== undefined) return ` > ${schema.exclusiveMinimum}`
  if (schema.minimum !== undefined) return ` ≥ ${schema.minimum}`
  return ''
}

function renderDefault(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return '' // a mapping: its keys carry the defaults
  return `\`${JSON.stringify(value)}\``
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

/** The whole Markdown document. */
export function renderConfigDoc(rows: ConfigKeyRow[] = configKeyRows()): string {
  const sections = new Map<string, ConfigKeyRow[]>()
  for (const row of rows) {
    const top = row.path.split(/[.[]/)[0]!
    sections.set(top, [...(sections.get(top) ?? []), row])
  }
  const out: string[] = [
    '# Configuration',
    '',
    '<!-- Generated by `npm run docs:config` (scripts/gen-config-doc.ts) from src/config/schema.ts. Do not edit by hand: CI fails when this file is stale. -->',
    '',
    'promregator-ts reads one YAML document. Keys follow the Java Promregator, so an existing',
    '`promregator.yml` keeps working (see [migrating-from-promregator.md](migrating-from-promregator.md)).',
    'Keys outside `cf`, `promregator` and `server` are ignored, so the file may be shared with other tools;',
    'unknown keys inside those three are reported as warnings at start-up. A wrong value stops start-up with',
    'exit code 2 and one line per problem naming the key, e.g. `promregator.targets[0].orgName: expected a string, got number 12`.',
    '',
    '`list[].key` is a key of each entry of a list. *required* keys must be present (inside their',
    'optional parent, if any); a blank default means optional with no value.',
    '',
    '## Where the configuration comes from',
    '',
    'The first of these that is set wins:',
    '',
    '1. `--config FILE` on the command line;',
    `2. \`${CONFIG_YAML_ENV}\`: the whole YAML document in an environment variable (\`cf set-env\`, \`docker run -e\`);`,
    `3. \`${CONFIG_FILE_ENV}\`: the name of a YAML file.`,
    '',
    `The YAML variable beats the file variable so that a value set with \`cf set-env\` or \`docker run -e\` wins`,
    'over a file name baked into a manifest or a container image. The start-up log line `listening` names',
    'the source it used (`config=`).',
    '',
    '## Environment variables',
    '',
    '| Variable | Meaning |',
    '|---|---|',
    `| \`${CONFIG_YAML_ENV}\` | The configuration itself (YAML). |`,
    `| \`${CONFIG_FILE_ENV}\` | Configuration file, when neither \`--config\` nor \`${CONFIG_YAML_ENV}\` is given. |`,
    '| `PORT` | Port to listen on (Cloud Foundry sets it); overrides `server.port`. |',
    ...ENV_OVERRIDES.map((o) => `| \`${o.env}\` | Overrides \`${o.path.join('.')}\`, so the secret need not be in the file. |`),
    '| `SPRING_PROFILES_ACTIVE` | Spring profiles to activate in a file of several YAML documents (as `--profile`). |',
    '| `SPRING_APPLICATION_JSON` | A JSON document merged over the file and the variables. |',
    '',
    'Every other key can be set from the environment too, named as Spring Boot names it: upper case,',
    '`.` as `_`, a list index between underscores (`CF_API_HOST`, `PROMREGATOR_DISCOVERY_HOSTNAME`,',
    '`PROMREGATOR_TARGETS_0_ORGNAME`). A variable wins over the file; the start-up warnings name each',
    'key set so (never its value). Values may also hold `${NAME}` and `${NAME:default}` placeholders.',
  ]
  for (const [section, sectionRows] of sections) {
    out.push('', `## \`${section}\``, '', '| Key | Type | Default | Meaning |', '|---|---|---|---|')
    for (const row of sectionRows) {
      const def = row.default === 'required' ? '*required*' : row.default
      out.push(`| \`${row.path}\` | ${cell(row.type)} | ${cell(def)} | ${cell(row.description)} |`)
    }
  }
  return `${out.join('\n')}\n`
}
