/**
 * The label selector check at config load: what the Cloud Controller accepts passes (the examples
 * of the docs and of the CC's own docs among them), what it would answer with 400 is refused with
 * the requirement and the reason, and a refused selector is a config problem naming the target.
 */
import { describe, expect, it } from 'vitest'
import { loadConfigText } from '../../src/config/load.ts'
import { configAdvice } from '../../src/config/advice.ts'
import { canonicalLabelSelector, MAX_REQUIREMENTS, parseLabelSelector } from '../../src/config/label-selector.ts'
import { parseLabelSelector as parseAsCloudController } from '../support/simulator/label-selector.ts'

const problemOf = (selector: string) => {
  const result = parseLabelSelector(selector)
  return result.ok ? undefined : result.problem
}

describe('parseLabelSelector', () => {
  it.each([
    // the examples of docs/configuration.md, the CC docs and test/discovery
    'prometheus-scrape=true,team in (a,b),!legacy',
    'env=dev,!chargeback-code,tier in (backend,worker)',
    'prometheus-scrape=true,team in (shop,finance)',
    'team=shop,!legacy',
    'team=x',
    // every form, spacing the CC lexer skips, prefixed keys, the size limits
    'scrape',
    'env==prod',
    'env != prod',
    'tier notin (backend)',
    'tier in(a, b)',
    ' env = dev , ! legacy ',
    'example.com/team=shop',
    'Sub.Example-1.com/A.b-c_D in (X1,y.2)',
    `${'k'.repeat(63)}=${'v'.repeat(63)}`,
    Array.from({ length: MAX_REQUIREMENTS }, (_, i) => `k${i}`).join(','),
    // empty label values, as the Cloud Controller accepts them
    'env=',
    'env!=',
    'tier in ()',
    'tier in (a,,b)',
  ])('accepts %j', (selector) => {
    expect(problemOf(selector)).toBeUndefined()
  })

  it('returns the requirements with commas inside a set kept in the set', () => {
    const selector = 'scrape, ! legacy,env=prod,tier==web,zone != a,team in (shop, finance),stage notin (dev),example.com/owner'
    const result = parseLabelSelector(selector)
    if (!result.ok) throw new Error(result.problem)
    // op key value(s), one line a requirement
    const lines = result.requirements.map((r) => `${r.op} ${r.key} ${'value' in r ? r.value : 'values' in r ? r.values.join('|') : '-'}`)
    expect(lines).toEqual([
      'exists scrape -',
      'notExists legacy -',
      'equals env prod',
      'equals tier web',
      'notEquals zone a',
      'in team shop|finance',
      'notin stage dev',
      'exists example.com/owner -',
    ])
  })

  it.each([
    ['tier in (a,b', "requirement 1 'tier in (a,b': '(' without ')'"],
    ['env=dev,tier in (backend,', "requirement 2 'tier in (backend,': '(' without ')'"],
    ['a,tier in a,b)', "requirement 3 'b)': ')' without '('"],
    ['a,,b', "requirement 2 '': empty (a comma too many?)"],
    ['a,', "requirement 2 '': empty (a comma too many?)"],
    ['=b', "requirement 1 '=b': no key before '='"],
    ['!=b', "requirement 1 '!=b': no key before '!='"],
    ['!', "requirement 1 '!': no key after '!'"],
    ['!a=b', "requirement 1 '!a=b': `!key` takes no value (for inequality write `key!=value`)"],
    ['tier IN (a)', "requirement 1 'tier IN (a)': not a requirement: a set is written `key in (v1,v2)` or `key notin (v1,v2)` (lower case, one pair of parentheses at the end)"],
    ['a=(b)', "requirement 1 'a=(b)': not a requirement: a set is written"],
    ['team shop', "requirement 1 'team shop': not a requirement: expected `key`, `!key`, `key=value`"],
    ['a/b/c', "requirement 1 'a/b/c': key 'a/b/c' has more than one '/'"],
    ['/a', "requirement 1 '/a': key '/a' has an empty prefix before '/'"],
    ['a/=x', "requirement 1 'a/=x': key 'a/' has an empty name after '/'"],
    ['my_domain.com/a', "requirement 1 'my_domain.com/a': prefix 'my_domain.com' of key 'my_domain.com/a' is not a DNS name"],
    [`${'p'.repeat(254)}/a`, 'is longer than 253 characters'],
    ['-a', "requirement 1 '-a': key '-a' must start and end with a letter or digit"],
    ['example.com/a_', "name 'a_' of key 'example.com/a_' must start and end with a letter or digit"],
    ['a!b', "key 'a!b' has characters other than letters, digits, '-', '_' and '.'"],
    ['a=b-', "requirement 1 'a=b-': value 'b-' must start and end with a letter or digit"],
    ['a=b=c', "value 'b=c' has characters other than letters, digits, '-', '_' and '.'"],
    ['a=grün', "value 'grün' has characters other than letters, digits"],
    ['team=shop,tier in (a;b)', "requirement 2 'tier in (a;b)': value 'a;b' has characters other than"],
    [`a=${'v'.repeat(64)}`, `value '${'v'.repeat(64)}' is longer than 63 characters`],
    [`${'k'.repeat(64)}`, 'is longer than 63 characters'],
    [Array.from({ length: MAX_REQUIREMENTS + 1 }, (_, i) => `k${i}`).join(','), '51 requirements; the Cloud Controller accepts at most 50'],
  ])('refuses %j', (selector, problem) => {
    expect(problemOf(selector)).toContain(problem)
  })
})

/**
 * What an operator writes, what the Cloud Controller answers to it as written (its parser, as the
 * simulator has it), and what the product sends instead.
 */
const WIRE: Array<[written: string, cloudController: 'accepts' | 'refuses', sent: string]> = [
  ['env=prod,tier=backend', 'accepts', 'env=prod,tier=backend'],
  ['env=prod, tier=backend', 'refuses', 'env=prod,tier=backend'],
  ['env = prod', 'refuses', 'env=prod'],
  ['env == prod', 'refuses', 'env=prod'],
  ['tier in (a, b)', 'refuses', 'tier in (a,b)'],
  ['tier in(a,b)', 'refuses', 'tier in (a,b)'],
  ['tier  notin  (a)', 'refuses', 'tier notin (a)'],
  ['! legacy', 'refuses', '!legacy'],
  [' env != dev , scrape ', 'refuses', 'env!=dev,scrape'],
  ['env=', 'accepts', 'env='],
  ['tier in ()', 'accepts', 'tier in ()'],
  ['tier in (a,,b)', 'accepts', 'tier in (a,,b)'],
  ['example.com/team=shop,!legacy,tier notin (x,y)', 'accepts', 'example.com/team=shop,!legacy,tier notin (x,y)'],
]

describe('the selector on the wire', () => {
  const asCloudController = (selector: string): 'accepts' | 'refuses' => {
    try {
      parseAsCloudController(selector)
      return 'accepts'
    } catch {
      return 'refuses'
    }
  }

  it.each(WIRE)('%j: the Cloud Controller %s it as written; the product sends %j', (written, cloudController, sent) => {
    expect(asCloudController(written)).toBe(cloudController)
    expect(parseLabelSelector(written).ok).toBe(true)
    expect(canonicalLabelSelector(written)).toBe(sent)
    // What is sent is accepted, with the requirements the operator meant.
    expect(asCloudController(sent)).toBe('accepts')
    const meant = parseLabelSelector(written)
    expect(meant.ok && parseAsCloudController(sent)).toEqual(meant.ok && meant.requirements)
  })

  it('says at start when a selector is sent otherwise than written', () => {
    const result = loadConfigText(`cf: { api_host: api.example.org, username: u, password: p }
promregator:
  targets:
    - { orgName: acme, labelSelector: "env=prod" }
    - { orgName: acme, labelSelector: "env = prod, tier in (a, b)" }
`)
    if (!result.ok) throw new Error(result.problems.join('\n'))
    expect(configAdvice(result.config).filter((line) => line.includes('labelSelector'))).toEqual([
      "promregator.targets[1].labelSelector 'env = prod, tier in (a, b)' is sent as 'env=prod,tier in (a,b)': the Cloud Controller refuses spaces around operators, after commas and inside sets; write it so to silence this",
    ])
  })
})

describe('labelSelector in the configuration', () => {
  const config = (selectors: string[]) => `cf: { api_host: api.example.org, username: u, password: p }
promregator:
  targets:
${selectors.map((s) => `    - { orgName: acme, labelSelector: ${JSON.stringify(s)} }`).join('\n')}
`

  it('is a problem naming the target, the requirement and the reason', () => {
    const result = loadConfigText(config(['team=shop', ' prometheus-scrape=true ', 'env=dev,tier in (backend,']))
    expect(result).toEqual({
      ok: false,
      problems: ["promregator.targets[2].labelSelector: invalid label selector: requirement 2 'tier in (backend,': '(' without ')'"],
    })
  })

  it('loads valid selectors trimmed', () => {
    const result = loadConfigText(config(['team=shop', ' prometheus-scrape=true,team in (a,b),!legacy ']))
    expect(result.ok && result.config.promregator.targets.map((t) => t.labelSelector)).toEqual(['team=shop', 'prometheus-scrape=true,team in (a,b),!legacy'])
  })
})
