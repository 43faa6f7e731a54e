/**
 * @module config/entries
 * A platform section (`cf`, `heroku`) is one block or a list of named entries; this is the one
 * reading of either shape into entries, used by the schema's checks, `--check-config` and the
 * platforms. A single block has no name of its own.
 */

/** One entry of a section: its name (undefined for a single block), its path in the file, its settings. */
export interface SectionEntry<T> {
  name: string | undefined
  path: Array<string | number>
  settings: T
}

/** The entries of section `key` in configuration order; none when the section is absent. */
export function sectionEntries<T>(key: string, section: T | Array<T & { name: string }> | undefined): Array<SectionEntry<T>> {
  if (section === undefined) return []
  if (!Array.isArray(section)) return [{ name: undefined, path: [key], settings: section }]
  return section.map((settings, i) => ({ name: settings.name, path: [key, i], settings }))
}
