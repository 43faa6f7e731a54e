/**
 * @module platform/cf/annotations
 * Annotation-driven selection (`kubernetesAnnotations: true`), as in Kubernetes: an app opts in
 * with `prometheus.io/scrape: "true"`, may name its metrics path with `prometheus.io/path`, and,
 * unlike the original, its port on internal routes with `prometheus.io/port`.
 */

export const SCRAPE_ANNOTATION = 'prometheus.io/scrape'
export const PATH_ANNOTATION = 'prometheus.io/path'
export const PORT_ANNOTATION = 'prometheus.io/port'

/** What an app's annotations say about scraping it. */
export interface AnnotationSettings {
  /** The app opted in. */
  scrape: boolean
  path?: string
  port?: number
  /** Annotations present but unusable, in words (logged, then ignored). */
  problems: string[]
}

/** Reads the three annotations; an unusable path or port is reported and ignored, never fatal. */
export function readAnnotations(annotations: Record<string, string>): AnnotationSettings {
  const problems: string[] = []
  const scrape = annotations[SCRAPE_ANNOTATION]?.trim().toLowerCase() === 'true'
  let path: string | undefined
  const rawPath = annotations[PATH_ANNOTATION]?.trim()
  if (rawPath !== undefined && rawPath !== '') {
    if (rawPath.startsWith('/') && !/[\s?#]/.test(rawPath)) path = rawPath
    else problems.push(`${PATH_ANNOTATION} '${rawPath}' is not an absolute path`)
  }
  let port: number | undefined
  const rawPort = annotations[PORT_ANNOTATION]?.trim()
  if (rawPort !== undefined && rawPort !== '') {
    const value = Number(rawPort)
    if (/^\d+$/.test(rawPort) && value >= 1 && value <= 65535) port = value
    else problems.push(`${PORT_ANNOTATION} '${rawPort}' is not a port number`)
  }
  return { scrape, path, port, problems }
}
