/**
 * @module config/source
 * Where the configuration comes from: `--config FILE`, `$PROMREGATOR_CONFIG_YAML` or
 * `$PROMREGATOR_CONFIG`. Kept apart from config/load.ts (and free of imports) so that the entry
 * points can decide this, and read the text, before the YAML parser and the zod schema are loaded.
 */

/** Environment variable holding a configuration file name. */
export const CONFIG_FILE_ENV = 'PROMREGATOR_CONFIG'
/** Environment variable holding the whole YAML document (for `cf set-env` or `docker run -e`). */
export const CONFIG_YAML_ENV = 'PROMREGATOR_CONFIG_YAML'

/** Where the configuration comes from; `origin` names it in messages and logs. */
export type ConfigSource = { kind: 'file'; path: string; origin: string } | { kind: 'text'; text: string; origin: string }

/**
 * Picks the configuration source. Precedence: `--config FILE` (explicit on the command line),
 * then `PROMREGATOR_CONFIG_YAML` (the document itself), then `PROMREGATOR_CONFIG` (a file name).
 * The YAML variable beats the file variable so that `cf set-env` and `docker run -e` win over
 * a file name baked into a manifest or an image. Undefined when none is given.
 */
export function chooseConfigSource(flag: string | undefined, env: Record<string, string | undefined>): ConfigSource | undefined {
  if (flag) return { kind: 'file', path: flag, origin: flag }
  const yaml = env[CONFIG_YAML_ENV]
  if (yaml !== undefined && yaml.trim() !== '') return { kind: 'text', text: yaml, origin: `$${CONFIG_YAML_ENV}` }
  const file = env[CONFIG_FILE_ENV]
  if (file) return { kind: 'file', path: file, origin: file }
  return undefined
}
