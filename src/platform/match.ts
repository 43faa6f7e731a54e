/**
 * @module platform/match
 * Name selection of the original, the same for every platform: an exact name (case-insensitive), a regex that must match the
 * whole name (case-insensitive), or, with neither, everything.
 */

/** A predicate over names. */
export type NameMatcher = ((name: string) => boolean) & { exact?: string }

/** Builds the matcher for one level (org, space or app) of a target. */
export function nameMatcher(name: string | undefined, regex: string | undefined): NameMatcher {
  if (name !== undefined && name !== '') {
    const wanted = name.toLowerCase()
    return Object.assign((candidate: string) => candidate.toLowerCase() === wanted, { exact: name })
  }
  if (regex !== undefined && regex !== '') {
    const compiled = new RegExp(`^(?:${regex})$`, 'i')
    return (candidate: string) => compiled.test(candidate)
  }
  return () => true
}
