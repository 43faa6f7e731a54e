/**
 * @module test/simulator/label-selector
 * Unit tests of the label_selector parser: operators, commas inside sets, syntax errors.
 */
import { describe, expect, it } from 'vitest'
import { compileLabelSelector, parseLabelSelector } from '../support/simulator/label-selector.ts'
import { parseQuery } from '../support/simulator/query.ts'

describe('parseLabelSelector', () => {
  it('parses every operator and keeps commas inside parentheses in the set', () => {
    expect(parseLabelSelector('a,!b,c=1,d==2,e!=3,f in (x,y),g notin (z),example.com/h')).toEqual([
      { op: 'exists', key: 'a' },
      { op: 'notExists', key: 'b' },
      { op: 'equals', key: 'c', value: '1' },
      { op: 'equals', key: 'd', value: '2' },
      { op: 'notEquals', key: 'e', value: '3' },
      { op: 'in', key: 'f', values: ['x', 'y'] },
      { op: 'notin', key: 'g', values: ['z'] },
      { op: 'exists', key: 'example.com/h' },
    ])
  })

  it('skips empty requirements and reads empty values, as the Cloud Controller does', () => {
    expect(parseLabelSelector('a,,b,')).toEqual([{ op: 'exists', key: 'a' }, { op: 'exists', key: 'b' }])
    expect(parseLabelSelector('a=,b in (),c in (x,,y)')).toEqual([
      { op: 'equals', key: 'a', value: '' },
      { op: 'in', key: 'b', values: [] },
      { op: 'in', key: 'c', values: ['x', '', 'y'] },
    ])
  })

  it.each([
    [''], ['a in (x'], ['a=(b)'], ['a in x'], ['=b'],
    // spaces the Cloud Controller's patterns do not allow
    ['env=prod, tier=backend'], ['env = prod'], ['tier in (a, b)'], ['tier in(a,b)'], ['! legacy'], [' a'],
    // keys and values it refuses
    ['-a'], ['a=b-'], ['a/b/c'], ['a=grün'],
  ])('rejects %j', (selector) => {
    expect(() => parseLabelSelector(selector)).toThrow(/label_selector/)
  })
})

describe('compileLabelSelector', () => {
  it('treats != and notin as matching resources without the key', () => {
    expect(compileLabelSelector('env!=prod')({})).toBe(true)
    expect(compileLabelSelector('env notin (prod)')({})).toBe(true)
    expect(compileLabelSelector('env in (prod)')({})).toBe(false)
  })

  it('matches an empty value with key=', () => {
    expect(compileLabelSelector('flag=')({ flag: '' })).toBe(true)
    expect(compileLabelSelector('flag=')({ flag: 'x' })).toBe(false)
  })
})

describe('parseQuery', () => {
  it('splits multi-value filters after one decoding pass, as CC does', () => {
    const query = parseQuery('names=a,b%2Cc,%20d&guids=x%252Cy&label_selector=x%20in%20(1%2C2)')
    expect(query.get('names')?.values).toEqual(['a', 'b', 'c', 'd'])
    expect(query.get('guids')?.values).toEqual(['x,y'])
    expect(query.get('label_selector')?.decoded).toBe('x in (1,2)')
  })
})
