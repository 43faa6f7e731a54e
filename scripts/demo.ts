// `npm run demo`: starts the simulated Cloud Foundry foundation and Heroku account and the product
// against both (all under Bun, from source), prints the URLs to open, and stops them on Ctrl-C.
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { combinedDemoConfigYaml, spawnSimulator, BUN } from '../test/support/sim-process.ts'

const port = process.env.PORT ?? '8080'
const sim = await spawnSimulator(['--heroku'])
mkdirSync('.tmp', { recursive: true })
const configPath = '.tmp/demo-promregator.yml'
writeFileSync(configPath, combinedDemoConfigYaml(sim.info))
const product = spawn(BUN, ['src/main.ts', '--config', configPath], { stdio: 'inherit', env: { ...process.env, PORT: port } })

const base = `http://127.0.0.1:${port}`
const first = sim.info.apps.find((a) => a.state === 'STARTED' && !a.basicAuth)!
const heroku = sim.info.heroku!
const orders = heroku.apps.find((a) => a.name === 'orders')!
console.log(`
Simulated Cloud Foundry: API ${sim.info.apiUrl} (user ${sim.info.username}), gorouter proxy ${sim.info.proxyUrl}
Simulated Heroku: Platform API ${heroku.apiUrl}, private DNS of the spaces ${heroku.proxyUrl}
Configuration: ${configPath}

Open:
  ${base}/                                   status
  ${base}/discovery                          targets for Prometheus (http_sd / file_sd)
  ${base}/metrics                            all instances, merged and labelled
  ${base}/singleTargetMetrics/${first.guid}/0   one instance (${first.name})
  ${base}/singleTargetMetrics/${orders.id}/web.1   one Heroku dyno (orders web.1)
  ${base}/promregatorMetrics                 own metrics

Ctrl-C stops both.
`)
const stop = async () => {
  product.kill('SIGTERM')
  await sim.stop()
  process.exit(0)
}
process.on('SIGINT', () => void stop())
process.on('SIGTERM', () => void stop())
product.on('exit', (code) => {
  void sim.stop().then(() => process.exit(code ?? 0))
})
