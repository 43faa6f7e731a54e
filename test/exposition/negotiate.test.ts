import { describe, expect, it } from 'vitest'
import { CONTENT_TYPES, formatOfContentType, negotiateFormat, parseAccept } from '../../src/exposition/index.ts'
import { acceptsContentType, acceptsProtobuf, negotiate, PROTOBUF_CONTENT_TYPE } from '../../src/exposition/negotiate.ts'

// Exact headers from the reference §6.4 (prometheus scrape/scrape.go at the given tags).
const PROM_2_40 = 'application/openmetrics-text;version=1.0.0;q=0.75,application/openmetrics-text;q=0.6,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'
const PROM_2_53 = 'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2'
const PROM_3 = 'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2'
const PROM_3_LEGACY = PROM_3.replaceAll('escaping=allow-utf-8', 'escaping=underscores')
const PROM_3_PROTO = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1'

describe('negotiateFormat', () => {
  it.each([
    ['Prometheus 2.40', PROM_2_40, 'openmetrics'],
    ['Prometheus 2.53', PROM_2_53, 'openmetrics'],
    ['Prometheus 3.x', PROM_3, 'openmetrics'],
    ['Prometheus 3.x, legacy name validation', PROM_3_LEGACY, 'openmetrics'],
    ['Prometheus 3.x, protobuf first', PROM_3_PROTO, 'openmetrics'],
    ['scrape_protocols: [PrometheusText0.0.4]', 'text/plain;version=0.0.4;q=0.5,*/*;q=0.4', 'text'],
    ['text preferred over OpenMetrics', 'text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5', 'text'],
    ['OpenMetrics of a version we do not write', 'application/openmetrics-text;version=2.0.0,text/plain;q=0.1', 'text'],
    ['OpenMetrics refused with q=0', 'application/openmetrics-text;q=0,*/*', 'text'],
    ['curl', '*/*', 'text'],
    ['explicit OpenMetrics beats a wildcard at the same q', '*/*,application/openmetrics-text', 'openmetrics'],
    ['spaces and case', ' Application/OpenMetrics-Text ; Version="1.0.0" ; Q=0.9 , text/plain ; q=0.8', 'openmetrics'],
    ['application/*', 'application/*', 'openmetrics'],
    ['unknown only', 'application/json', 'text'],
    ['garbage', ';;,,=q', 'text'],
    ['empty', '', 'text'],
  ])('%s', (_, accept, expected) => {
    expect(negotiateFormat(accept)).toBe(expected)
  })

  it('answers text for a missing header', () => {
    expect(negotiateFormat(undefined)).toBe('text')
    expect(negotiateFormat(null)).toBe('text')
  })

  it('parses media ranges with parameters and q', () => {
    expect(parseAccept(PROM_3)[0]).toEqual({ type: 'application', subtype: 'openmetrics-text', params: { version: '1.0.0', escaping: 'allow-utf-8' }, q: 0.6 })
    expect(parseAccept('a/b;q=2,c/d;q=abc,e/f').map((r) => r.type)).toEqual(['e'])
  })
})

describe('CONTENT_TYPES', () => {
  it('are the exact strings Prometheus expects', () => {
    expect(CONTENT_TYPES.text).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(CONTENT_TYPES.openmetrics).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8')
  })
})

describe('formatOfContentType', () => {
  it.each([
    ['application/openmetrics-text; version=1.0.0; charset=utf-8', 'openmetrics'],
    ['application/openmetrics-text; version=0.0.1; charset=utf-8', 'openmetrics'],
    ['APPLICATION/OPENMETRICS-TEXT', 'openmetrics'],
    ['text/plain; version=0.0.4; charset=utf-8', 'text'],
    ['text/plain; version=0.0.4; charset=utf-8; escaping=underscores', 'text'],
    ['text/plain', 'text'],
    ['text/plain;charset=utf-8', 'text'],
    ['', 'text'],
    [null, 'text'],
    [undefined, 'text'],
    ['application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited', 'protobuf'],
    ['application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited', 'protobuf'],
    // Text-encoded protobuf and other messages are nothing we can pass on.
    ['application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=text', 'unsupported'],
    ['application/vnd.google.protobuf; proto=other.Message; encoding=delimited', 'unsupported'],
    ['text/html; charset=utf-8', 'unsupported'],
    ['application/json', 'unsupported'],
    ['garbage', 'unsupported'],
  ])('%s → %s', (ct, expected) => {
    expect(formatOfContentType(ct)).toBe(expected)
  })
})

describe('acceptsContentType: may an instance Content-Type go back to the scraper as it is', () => {
  const PROM_2_42_NATIVE = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'
  it.each([
    [PROM_3_PROTO, PROTOBUF_CONTENT_TYPE, true],
    [PROM_2_42_NATIVE, PROTOBUF_CONTENT_TYPE, true],
    [PROM_3, PROTOBUF_CONTENT_TYPE, true], // */* accepts anything
    [PROM_3.replace(',*/*;q=0.2', ''), PROTOBUF_CONTENT_TYPE, false],
    [PROM_3, 'text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8', true],
    [PROM_2_53.replace(',*/*;q=0.2', ''), 'text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8', false],
    [PROM_2_53.replace(',*/*;q=0.2', ''), 'application/openmetrics-text; version=1.0.0; charset=utf-8', true],
    ['application/openmetrics-text;version=1.0.0;q=0', 'application/openmetrics-text; version=1.0.0', false],
    ['text/*', 'text/plain; version=0.0.4', true],
    [undefined, 'text/plain', true],
  ])('%s accepts %s: %s', (accept, ct, expected) => {
    expect(acceptsContentType(accept, ct)).toBe(expected)
  })

  it('tells a scraper that asks for protobuf', () => {
    expect(acceptsProtobuf(PROM_3_PROTO)).toBe(true)
    expect(acceptsProtobuf(PROM_2_42_NATIVE)).toBe(true)
    expect(acceptsProtobuf(PROM_3)).toBe(false)
    expect(acceptsProtobuf('application/vnd.google.protobuf;q=0')).toBe(false)
    expect(acceptsProtobuf(undefined)).toBe(false)
  })
})

describe('negotiate: the escaping of names, echoed in the Content-Type', () => {
  it.each([
    ['Prometheus 3 (UTF-8 names allowed)', PROM_3, 'openmetrics', 'allow-utf-8', 'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8'],
    ['Prometheus 3 with metric_name_escaping_scheme: underscores', PROM_3_LEGACY, 'openmetrics', 'underscores', 'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores'],
    ['Prometheus 3, protobuf first', PROM_3_PROTO, 'openmetrics', 'allow-utf-8', 'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8'],
    ['Prometheus 2.53', PROM_2_53, 'openmetrics', 'underscores', CONTENT_TYPES.openmetrics],
    ['text 1.0.0 with UTF-8', 'text/plain;version=1.0.0;escaping=allow-utf-8', 'text', 'allow-utf-8', 'text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8'],
    // Escapings we do not write are no match: the next range decides.
    ['dots first', 'application/openmetrics-text;version=1.0.0;escaping=dots;q=0.6,text/plain;version=0.0.4;q=0.3', 'text', 'underscores', CONTENT_TYPES.text],
    ['values only', 'text/plain;version=1.0.0;escaping=values', 'text', 'underscores', CONTENT_TYPES.text],
    // Text 0.0.4 has no escaping to echo.
    ['text 0.0.4 with an escaping', 'text/plain;version=0.0.4;escaping=allow-utf-8,application/openmetrics-text;q=0.1', 'openmetrics', 'underscores', CONTENT_TYPES.openmetrics],
    ['nothing', undefined, 'text', 'underscores', CONTENT_TYPES.text],
  ])('%s', (_, accept, format, escaping, contentType) => {
    expect(negotiate(accept)).toEqual({ format, escaping, contentType })
  })
})
