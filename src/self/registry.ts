/**
 * @module self/registry
 * A tiny registry for the process's own metrics: counters, gauges and histograms with labels,
 * collected as {@link MetricFamily} values so the exposition writer renders them in either
 * format. Small on purpose: no client library, nothing on the hot path but a Map lookup.
 */
import type { MetricFamily, MetricType, Sample } from '../exposition/types.ts'

type LabelValues = Record<string, string>

interface Series<T> {
  labels: LabelValues
  value: T
}

abstract class Metric<T> {
  protected readonly series = new Map<string, Series<T>>()
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    readonly unit?: string,
  ) {}
  protected get(labels: LabelValues, init: () => T): Series<T> {
    const key = labelKey(labels)
    let s = this.series.get(key)
    if (!s) {
      s = { labels: { ...labels }, value: init() }
      this.series.set(key, s)
    }
    return s
  }
  abstract collect(): MetricFamily
}

/** Values read at collection time (e.g. from `process.cpuUsage()`), next to the ones set or counted. */
export type Computed = () => Array<{ labels?: LabelValues; value: number }>

/** A monotonically increasing count, counted or read at collection time. Samples are written as `<name>_total`. */
export class Counter extends Metric<number> {
  constructor(
    name: string,
    help: string,
    unit?: string,
    private readonly compute?: Computed,
  ) {
    super(name, help, 'counter', unit)
  }
  inc(labels: LabelValues = {}, by = 1): void {
    this.get(labels, () => 0).value += by
  }
  collect(): MetricFamily {
    const computed = this.compute?.().map((c) => ({ labels: c.labels ?? {}, value: c.value })) ?? []
    return family(this, [...this.series.values(), ...computed].map((s) => ({ name: `${this.name}_total`, labels: s.labels, value: s.value })))
  }
}

/** A value that goes up and down, set directly or computed at collection time. */
export class Gauge extends Metric<number> {
  constructor(
    name: string,
    help: string,
    unit?: string,
    private readonly compute?: Computed,
  ) {
    super(name, help, 'gauge', unit)
  }
  set(labels: LabelValues, value: number): void {
    this.get(labels, () => 0).value = value
  }
  collect(): MetricFamily {
    const computed = this.compute?.().map((c) => ({ labels: c.labels ?? {}, value: c.value })) ?? []
    const all = [...this.series.values(), ...computed]
    return family(this, all.map((s) => ({ name: this.name, labels: s.labels, value: s.value })))
  }
}

/** Observations in cumulative buckets, with `_sum` and `_count`. */
export class Histogram extends Metric<{ buckets: number[]; sum: number; count: number }> {
  constructor(
    name: string,
    help: string,
    readonly bounds: number[],
    unit?: string,
  ) {
    super(name, help, 'histogram', unit)
  }
  observe(labels: LabelValues, value: number): void {
    const s = this.get(labels, () => ({ buckets: this.bounds.map(() => 0), sum: 0, count: 0 })).value
    for (let i = 0; i < this.bounds.length; i++) if (value <= this.bounds[i]!) s.buckets[i]!++
    s.sum += value
    s.count++
  }
  collect(): MetricFamily {
    const samples: Sample[] = []
    for (const { labels, value } of this.series.values()) {
      this.bounds.forEach((bound, i) => samples.push({ name: `${this.name}_bucket`, labels: { ...labels, le: formatBound(bound) }, value: value.buckets[i]! }))
      samples.push({ name: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: value.count })
      samples.push({ name: `${this.name}_sum`, labels, value: value.sum })
      samples.push({ name: `${this.name}_count`, labels, value: value.count })
    }
    return family(this, samples)
  }
}

/** Holds the metrics and collects them in registration order. */
export class Registry {
  private readonly metrics: Array<{ collect(): MetricFamily }> = []
  counter(name: string, help: string, options: { unit?: string; compute?: Computed } = {}): Counter {
    return this.add(new Counter(name, help, options.unit, options.compute))
  }
  gauge(name: string, help: string, options: { unit?: string; compute?: Computed } = {}): Gauge {
    return this.add(new Gauge(name, help, options.unit, options.compute))
  }
  histogram(name: string, help: string, bounds: number[], unit?: string): Histogram {
    return this.add(new Histogram(name, help, bounds, unit))
  }
  collect(): MetricFamily[] {
    return this.metrics.map((m) => m.collect()).filter((f) => f.samples.length > 0)
  }
  private add<M extends { collect(): MetricFamily }>(metric: M): M {
    this.metrics.push(metric)
    return metric
  }
}

function family(metric: Metric<unknown>, samples: Sample[]): MetricFamily {
  const f: MetricFamily = { name: metric.name, type: metric.type, help: metric.help, samples }
  if (metric.unit) f.unit = metric.unit
  return f
}

function labelKey(labels: LabelValues): string {
  // Called on every count and observation: one label (the usual case) needs no sorting or joining.
  let only: string | undefined
  let count = 0
  for (const k in labels) {
    only = k
    if (++count > 1) break
  }
  if (count === 0) return ''
  if (count === 1) return `${only}\u0000${labels[only!]}`
  return Object.keys(labels).sort().map((k) => `${k}\u0000${labels[k]}`).join('\u0001')
}

function formatBound(bound: number): string {
  return Number.isInteger(bound) ? `${bound}.0` : String(bound)
}
