/**
 * @module config/env-names
 * How a key path is spelled as an environment variable, as Spring's relaxed binding named them in
 * the Java original (`cf.password` → `CF_PASSWORD`); a key inside an entry of a named list gets the
 * entry's name appended (`cf[].password` → `CF_PASSWORD_<NAME>`). Apart from env-overrides.ts so
 * that the schema's descriptions can name the variables without importing the schema's readers.
 */

/** Lists whose entries carry their own secrets, with the key that names an entry. */
export const ENTRY_NAME_KEY: Readonly<Record<string, string>> = { 'cf[]': 'name', 'heroku[]': 'name', 'targetAuthenticators[]': 'id' }

/** Keys whose variable is not spelled after the path: the Heroku token takes the Heroku CLI's own variable. */
const VARIABLE_BASES: Readonly<Record<string, string>> = { 'heroku.token': 'HEROKU_API_KEY' }

/** The variable of a key path: `cf[].password` → `CF_PASSWORD_<NAME>`. */
export function envVariableOf(path: string): string {
  const plain = path.replace(/\[\]/g, '')
  const base = VARIABLE_BASES[plain] ?? plain.replaceAll('.', '_').toUpperCase()
  const list = path.split('.').find((segment) => segment.endsWith('[]'))
  return list ? `${base}_<${ENTRY_NAME_KEY[list]!.toUpperCase()}>` : base
}

/** How an entry's name is spelled in a variable: upper case, every character but A-Z and 0-9 as `_`. */
export function envNameOf(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_')
}

/** The rule of {@link envNameOf} in words, for the key descriptions. */
export const ENV_NAME_RULE = 'upper-cased, with every character other than A-Z and 0-9 turned into `_`'
