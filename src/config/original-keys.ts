/**
 * @module config/original-keys
 * Keys of the Java original that this product reads but does not need, each with why. A file that
 * sets one loads as before, with a warning saying so, instead of "unknown key" (which would suggest a
 * typo). docs/migrating-from-promregator.md lists the same keys (a test compares them).
 */

/** Key path (lists as `[]`) → why it is not needed here. */
export const ORIGINAL_KEYS_NOT_NEEDED: Readonly<Record<string, string>> = {
  'cf.connectionPool.size': 'no connection pool to size: cf.request.concurrency bounds requests in flight',
  'cf.threadPool.size': 'no threads',
  'cf.cache.type': 'there is one cache',
  'cf.cache.expiry.org': 'entries are refreshed by age (cf.cache.timeout.*), not expired by access',
  'cf.cache.expiry.application': 'entries are refreshed by age (cf.cache.timeout.*), not expired by access',
  'cf.cache.aggregator.blocksize.route': 'requests are batched by GUID lists always',
  'cf.cache.aggregator.checkinterval.route': 'requests are batched by GUID lists always',
  'cf.watchdog.enabled': 'the client has no long-lived connection state to reset; failed requests are retried',
  'cf.watchdog.restartCount': 'the client has no long-lived connection state to reset; failed requests are retried',
  'promregator.discoverer.timeout': 'an instance leaves the targets with the next discovery',
  'promregator.metrics.requestLatency': 'promregator_instance_scrape_duration_seconds is always on',
  'promregator.metrics.internal': 'Cloud Controller metrics are always on',
  'promregator.metrics.labelNamePrefix': 'own metrics carry no app_name-style labels, so nothing collides',
  'promregator.gc.rate': 'no JVM',
  'promregator.reactor.debug': 'no Reactor',
  'promregator.workaround.dnscache.timeout': 'no JVM DNS cache',
  'promregator.simulation.enabled': 'the simulator is part of the test suite (npm run demo)',
  'promregator.simulation.instances': 'the simulator is part of the test suite (npm run demo)',
  'promregator.internal.preCheckAPIVersion': "unused in the original's V1 too",
  'promregator.resolver.logging.empty.target': 'a discovery that finds no app is always logged as a warning saying why',
  'cf.request.timeout.appSummary': "a request of the Cloud Controller's v2 API, which this product does not use",
  'cf.request.timeout.app': 'deprecated in the original; cf.request.timeout.appInSpace is the timeout of app requests',
  'cf.request.timeout.routeMapping': "deprecated in the original (v2 API); routes come with their destinations",
  'cf.request.timeout.sharedDomain': 'deprecated in the original (v2 API); domains come with the routes',
  'server.tomcat.threads.max': 'no Tomcat',
  'server.compression.enabled': 'answers are compressed whenever the client accepts it (gzip or deflate), OpenMetrics included',
}

/**
 * Why an unknown key path (`promregator.simulation`, `cf.cache.type`) is one of the original's
 * that is not needed here, or undefined when it is not one. A whole section of such keys counts.
 */
export function notNeededReason(path: string): string | undefined {
  const key = path.replace(/\[\d+\]/g, '[]')
  for (const [known, why] of Object.entries(ORIGINAL_KEYS_NOT_NEEDED)) {
    if (known === key || known.startsWith(`${key}.`) || key.startsWith(`${known}.`)) return why
  }
  return undefined
}
