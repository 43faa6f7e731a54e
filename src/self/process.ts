/**
 * @module self/process
 * Metrics of the process itself, read the same way on Bun and Node: resident memory and heap
 * (`process.memoryUsage()`), CPU time (`process.cpuUsage()`), start time, and event-loop lag
 * measured with a timer (how late a periodic timer fires). The names follow the Prometheus
 * client libraries (`process_*`) so existing dashboards find them.
 */
import type { Registry } from './registry.ts'

export interface ProcessMetricsOptions {
  /** How often the lag probe fires (ms). */
  probeIntervalMs?: number
  /** Wall clock at start (ms since epoch), for `process_start_time_seconds`. */
  startedAt?: number
}

/** The running lag probe; `stop()` clears its timer. */
export interface ProcessMetrics {
  stop(): void
}

/** Registers the process metrics on `registry` and starts the event-loop lag probe (an unref'd timer). */
export function registerProcessMetrics(registry: Registry, options: ProcessMetricsOptions = {}): ProcessMetrics {
  const interval = options.probeIntervalMs ?? 500
  const startedAt = options.startedAt ?? Date.now() - performance.now()
  let expected = performance.now() + interval
  let maxLagMs = 0
  let lastLagMs = 0
  const timer = setInterval(() => {
    const now = performance.now()
    lastLagMs = Math.max(0, now - expected)
    maxLagMs = Math.max(maxLagMs, lastLagMs)
    expected = now + interval
  }, interval)
  ;(timer as { unref?: () => void }).unref?.()

  registry.gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', {
    unit: 'bytes',
    compute: () => [{ value: process.memoryUsage().rss }],
  })
  registry.gauge('process_heap_bytes', 'JavaScript heap in use, in bytes.', {
    unit: 'bytes',
    compute: () => [{ value: process.memoryUsage().heapUsed }],
  })
  registry.counter('process_cpu_seconds', 'User and system CPU time spent, in seconds.', {
    unit: 'seconds',
    compute: () => {
      const { user, system } = process.cpuUsage()
      return [{ value: (user + system) / 1e6 }]
    },
  })
  registry.gauge('process_start_time_seconds', 'Start time of the process since the Unix epoch, in seconds.', {
    unit: 'seconds',
    compute: () => [{ value: Math.floor(startedAt / 1000) }],
  })
  registry.gauge('promregator_event_loop_lag_seconds', `Largest delay of a ${interval} ms timer since the previous collection: how long the event loop was busy.`, {
    unit: 'seconds',
    compute: () => {
      const value = Math.max(maxLagMs, lastLagMs) / 1000
      maxLagMs = 0
      return [{ value }]
    },
  })
  return {
    stop: () => clearInterval(timer),
  }
}
