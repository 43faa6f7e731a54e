/**
 * The invalidation gate on its own, with a controllable store and clock: the first request
 * refreshes at once, requests while a refresh waits for its turn join it with their parameters
 * merged, and refreshes caused by requests start at least the minimum interval apart.
 */
import { describe, expect, it, vi } from 'vitest'
import type { InvalidationRequest } from '../../src/platform/types.ts'
import { createInvalidationGate } from '../../src/targets/invalidation.ts'

function recordingStore() {
  const runs: Array<InvalidationRequest | undefined> = []
  return { runs, invalidate: async (request?: InvalidationRequest) => void runs.push(request) }
}

describe('invalidation gate', () => {
  it('refreshes at once, then coalesces requests into one refresh per interval', async () => {
    vi.useFakeTimers({ now: 0 })
    try {
      const store = recordingStore()
      const gate = createInvalidationGate(store, { minIntervalMs: 5000, now: () => Date.now() })
      await gate.request({ route: 'true' })
      expect(store.runs).toEqual([{ route: 'true' }])
      // Within the interval: every request joins the one waiting refresh, with its parameters.
      const joined = [gate.request({ process: 'true' }), gate.request({ application: '1' }), gate.request({ process: 'true' })]
      expect(new Set(joined).size).toBe(1)
      await vi.advanceTimersByTimeAsync(4999)
      expect(store.runs).toHaveLength(1)
      await vi.advanceTimersByTimeAsync(1)
      await joined[0]
      expect(store.runs).toEqual([{ route: 'true' }, { process: 'true', application: '1' }])
      // A request for everything covers whatever else waits with it.
      void gate.request({ org: 'true' })
      void gate.request()
      await vi.advanceTimersByTimeAsync(5000)
      expect(store.runs.at(-1)).toBeUndefined()
      expect(store.runs).toHaveLength(3)
      expect(gate.counts()).toEqual({ requested: 6, refreshes: 3 })
    } finally {
      vi.useRealTimers()
    }
  })

  it('refreshes at once again when the interval has passed', async () => {
    let now = 0
    const store = recordingStore()
    const gate = createInvalidationGate(store, { minIntervalMs: 5000, now: () => now })
    await gate.request()
    now = 5000
    await gate.request()
    expect(store.runs).toEqual([undefined, undefined])
  })
})
