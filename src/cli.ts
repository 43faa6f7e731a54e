/**
 * @module cli
 * The command line of both entry points: flags, usage text, version line. Deliberately free of
 * dependencies: `--version`, `--help` and `--healthcheck` answer without loading the YAML parser,
 * the zod schema or Hono (see src/boot.ts for the part that does).
 */
import pkg from '../package.json' with { type: 'json' }

export const USAGE = `Usage: promregator [--config FILE] [--profile NAMES] [--check-config] [--version] [--help]

Discovers the instances of Cloud Foundry apps and lets Prometheus scrape each of them.

Options:
  --config FILE   configuration file (YAML); default: $PROMREGATOR_CONFIG_YAML, then $PROMREGATOR_CONFIG
  --profile NAMES Spring profiles to activate (comma-separated) for a file of several YAML documents;
                  the same as $SPRING_PROFILES_ACTIVE, which it replaces
  --check-config  load and validate the configuration, print a summary (or the problems) and exit 0 (or 2);
                  nothing is requested from Cloud Foundry and no port is opened
  --version       print the version and exit
  --healthcheck   ask the server on $PORT (or 8080) for /-/healthy; exit 0 if healthy (for container HEALTHCHECKs)
  --help          print this help and exit

Environment:
  PROMREGATOR_CONFIG_YAML  the configuration itself (YAML) when --config is not given (cf set-env)
  PROMREGATOR_CONFIG   configuration file when neither --config nor PROMREGATOR_CONFIG_YAML is given
  PORT                 port to listen on (Cloud Foundry sets it); else server.port, else 8080
  CF_PASSWORD          overrides cf.password; every secret key has such a variable, named after its
                       path (CF_CLIENT_SECRET, PROMREGATOR_AUTHENTICATION_BASIC_PASSWORD, ...; with a list
                       of foundations CF_PASSWORD_<NAME>): see docs/configuration.md
`

/** `promregator 0.1.0 (commit abc1234)`; `build` is the commit, or the runtime for unbuilt entries. */
export function versionLine(build: string): string {
  return `promregator ${pkg.version} (${build})`
}

/** The parsed command line; `error` says what was wrong with it. */
export interface Args {
  config?: string
  /** Comma-separated Spring profiles (`--profile`). */
  profile?: string
  version?: boolean
  help?: boolean
  healthcheck?: boolean
  checkConfig?: boolean
  error?: string
}

/** Parses the flags of {@link USAGE}; anything else is an error (exit 2 with the usage). */
export function parseArgs(argv: string[]): Args {
  const out: Args = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--version' || arg === '-v') out.version = true
    else if (arg === '--help' || arg === '-h') out.help = true
    else if (arg === '--healthcheck') out.healthcheck = true
    else if (arg === '--check-config') out.checkConfig = true
    else if (arg === '--config' || arg === '-c') {
      const value = argv[++i]
      if (!value) return { error: '--config needs a file name' }
      out.config = value
    } else if (arg.startsWith('--config=')) out.config = arg.slice('--config='.length)
    else if (arg === '--profile') {
      const value = argv[++i]
      if (!value) return { error: '--profile needs one or more profile names' }
      out.profile = value
    } else if (arg.startsWith('--profile=')) out.profile = arg.slice('--profile='.length)
    else return { error: `unknown argument ${arg}` }
  }
  return out
}

/**
 * Whether the server can listen before the configuration is validated: only when the port comes
 * from `$PORT` and the text cannot set `server.address` (the word does not occur in it), so the
 * early socket is bound exactly where the configured one would be (the default, 0.0.0.0). The
 * caller still compares with the validated address and moves the socket if a YAML escape fooled
 * this test.
 */
export function canListenEarly(env: Record<string, string | undefined>, configText: string | undefined): boolean {
  return env.PORT !== undefined && env.PORT !== '' && configText !== undefined && !configText.includes('address')
}

/** The address the server binds when the configuration does not say (`server.address`'s default). */
export const DEFAULT_ADDRESS = '0.0.0.0'

/** `--healthcheck`: whether the local server on `port` answers /-/healthy with 200 within 2 s (distroless images have no curl). */
export async function healthcheck(port: string): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/-/healthy`, { signal: AbortSignal.timeout(2000) })
    await response.body?.cancel()
    return response.status === 200
  } catch {
    return false
  }
}
