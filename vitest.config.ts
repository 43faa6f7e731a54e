import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Vite 8 transforms with oxc (the `esbuild` option is ignored): JSX of the status page via hono/jsx.
  oxc: { jsx: { runtime: 'automatic', importSource: 'hono/jsx' } },
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
})
