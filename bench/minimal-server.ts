/**
 * @module bench/minimal-server
 * The floor for start-up time and memory on this runtime: the smallest Bun HTTP server,
 * compiled exactly as the product (`node scripts/build.mjs OUT bench/minimal-server.ts`).
 * It answers /-/healthy like the product and announces its port in the same log format.
 */
declare const Bun: { serve(options: { port: number; hostname: string; fetch: () => Response }): { port: number } }
const server = Bun.serve({ port: Number(process.env.PORT ?? 8080), hostname: '127.0.0.1', fetch: () => new Response('OK\n') })
console.error(`msg=listening port=${server.port}`)
