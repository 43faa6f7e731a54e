/** @module Types for the untyped npm package used as a reference parser in tests and the benchmark. */
declare module 'parse-prometheus-text-format' {
  /** Parses text 0.0.4 into families with string values. */
  export default function parsePrometheusTextFormat(body: string): {
    name: string
    help: string
    type: string
    metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; quantiles?: Record<string, string> }[]
  }[]
}
