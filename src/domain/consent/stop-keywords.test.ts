import { describe, expect, it } from 'vitest'

import { DEFAULT_POLICY_SETTINGS, policySettings } from '../settings.js'
import { utcDate } from '../time.js'
import {
  DEFAULT_STOP_KEYWORDS,
  matchStopKeyword,
  normalizeKeywordText,
  stopKeywordOptOut,
} from './stop-keywords.js'

const T = utcDate('2024-03-01')

describe('normalizeKeywordText', () => {
  it.each([
    ['STOP', 'stop'],
    [' stop! ', 'stop'],
    ['Arrêt', 'arret'],
    ['DÉSINSCRIPTION', 'desinscription'],
    ['stop   all', 'stop all'],
    ['stop-all', 'stop all'],
    ['ＳＴＯＰ', 'stop'],
    ['🙏 stop 🙏', 'stop'],
    ['opt.out', 'opt out'],
    ['Stop 2', 'stop 2'],
    ['!!!', ''],
    ['', ''],
  ])('normalises %j to %j', (text, normalized) => {
    expect(normalizeKeywordText(text)).toBe(normalized)
  })
})

describe('DEFAULT_STOP_KEYWORDS', () => {
  it('cannot be changed', () => {
    expect(Object.isFrozen(DEFAULT_STOP_KEYWORDS)).toBe(true)
  })

  it('is the default list of the policy settings', () => {
    expect(DEFAULT_POLICY_SETTINGS.stopKeywords).toBe(DEFAULT_STOP_KEYWORDS)
  })

  it('holds no keyword twice once normalised', () => {
    const normalized = DEFAULT_STOP_KEYWORDS.map(normalizeKeywordText)
    expect(new Set(normalized).size).toBe(normalized.length)
  })
})

describe('matchStopKeyword', () => {
  it.each([
    ['STOP', 'stop'],
    [' stop! ', 'stop'],
    ['Stop.', 'stop'],
    ['ARRET', 'arret'],
    ['Arrêt', 'arret'],
    ['arrêt 🙏', 'arret'],
    ['STOPP', 'stopp'],
    ['uitschrijven', 'uitschrijven'],
    ['Darse de baja', 'darse de baja'],
    ['stop   all', 'stop all'],
    ['ＳＴＯＰ', 'stop'],
    ['Unsubscribe', 'unsubscribe'],
    ['opt-out', 'opt out'],
    ['Cancelar suscripción', 'cancelar suscripcion'],
  ])('recognises %j as the stop keyword %j', (text, keyword) => {
    expect(matchStopKeyword(text, DEFAULT_STOP_KEYWORDS)).toBe(keyword)
  })

  it.each([
    ["don't stop helping me"],
    ['stop by tomorrow?'],
    ['stopwatch'],
    [''],
    ['please help'],
    ['   '],
    ['🙏'],
    ['stop stop'],
    ['STOP' + ' and more'.repeat(25)],
    ['x'.repeat(200)],
  ])('does not take %j for a stop message', (text) => {
    expect(matchStopKeyword(text, DEFAULT_STOP_KEYWORDS)).toBeNull()
  })

  // Messages longer than 64 characters are not normalised at all.
  it.each([
    [63, 'stop'],
    [64, 'stop'],
    [65, null],
    [200, null],
  ])('with padding to %i characters, answers %j', (length, expected) => {
    const text = 'STOP'.padEnd(length, ' ')
    expect(text).toHaveLength(length)
    expect(matchStopKeyword(text, DEFAULT_STOP_KEYWORDS)).toBe(expected)
  })

  it('uses the list it is given instead of the defaults', () => {
    const keywords = ['HALT', 'Niet meer']
    expect(matchStopKeyword('halt!', keywords)).toBe('halt')
    expect(matchStopKeyword('niet   MEER', keywords)).toBe('niet meer')
    expect(matchStopKeyword('STOP', keywords)).toBeNull()
  })

  it('answers the same for a list it has seen before', () => {
    const keywords = ['HALT']
    expect(matchStopKeyword('halt', keywords)).toBe('halt')
    expect(matchStopKeyword('halt', keywords)).toBe('halt')
    expect(matchStopKeyword('stop', keywords)).toBeNull()
  })

  it('ignores keywords that normalise to nothing, so an empty message never matches', () => {
    const keywords = ['', '!!!', 'HALT']
    expect(matchStopKeyword('', keywords)).toBeNull()
    expect(matchStopKeyword('?', keywords)).toBeNull()
    expect(matchStopKeyword('HALT', keywords)).toBe('halt')
  })

  it('matches nothing with an empty list', () => {
    expect(matchStopKeyword('STOP', [])).toBeNull()
  })
})

describe('stopKeywordOptOut', () => {
  it('records a stop message as an opt-out from marketing by default, with the message as evidence', () => {
    expect(stopKeywordOptOut(' Stop! ', T, policySettings())).toEqual({
      kind: 'opt_out',
      scope: 'marketing',
      source: 'keyword',
      evidence: ' Stop! ',
      actor: 'contact',
      at: T,
    })
  })

  it('uses the scope from the settings', () => {
    const optOut = stopKeywordOptOut('ARRÊT', T, policySettings({ stopKeywordScope: 'all' }))
    expect(optOut?.scope).toBe('all')
    expect(optOut?.evidence).toBe('ARRÊT')
  })

  it('uses the keywords from the settings', () => {
    const settings = { stopKeywords: ['HALT'], stopKeywordScope: 'marketing' as const }
    expect(stopKeywordOptOut('halt', T, settings)?.kind).toBe('opt_out')
    expect(stopKeywordOptOut('STOP', T, settings)).toBeNull()
  })

  it.each(["don't stop helping me", 'stop by tomorrow?', ''])('yields nothing for %j', (text) => {
    expect(stopKeywordOptOut(text, T, DEFAULT_POLICY_SETTINGS)).toBeNull()
  })
})
