import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  SECOND_MS,
  formatHuman,
  formatInstant,
  parseDate,
  parseInstant,
  utcDate,
} from './time.js'

describe('units', () => {
  it('measures durations in milliseconds', () => {
    expect([SECOND_MS, MINUTE_MS, HOUR_MS, DAY_MS]).toEqual([1_000, 60_000, 3_600_000, 86_400_000])
  })
})

describe('parseInstant', () => {
  it.each([
    ['UTC with seconds', '2024-03-01T10:00:00Z', Date.UTC(2024, 2, 1, 10)],
    ['UTC without seconds', '2024-03-01T10:00Z', Date.UTC(2024, 2, 1, 10)],
    ['milliseconds', '2024-03-01T10:00:00.250Z', Date.UTC(2024, 2, 1, 10, 0, 0, 250)],
    [
      'nanoseconds, truncated to milliseconds',
      '2024-03-01T10:00:00.123456789Z',
      Date.UTC(2024, 2, 1, 10, 0, 0, 123),
    ],
    ['a positive offset', '2024-03-01T10:00:00+01:00', Date.UTC(2024, 2, 1, 9)],
    ['a negative offset across midnight', '2024-03-01T22:30:00-05:00', Date.UTC(2024, 2, 2, 3, 30)],
    ['a leap day', '2024-02-29T12:00:00Z', Date.UTC(2024, 1, 29, 12)],
  ])('parses an instant with %s', (_label, text, expected) => {
    expect(parseInstant(text)).toBe(expected)
  })

  it.each([
    ['a calendar date without time', '2024-03-01'],
    ['a local time without offset', '2024-03-01T10:00:00'],
    ['a space instead of T', '2024-03-01 10:00:00Z'],
    ['an offset without colon', '2024-03-01T10:00:00+0100'],
    ['a lower-case z', '2024-03-01T10:00:00z'],
    ['seconds without minutes', '2024-03-01T10Z'],
    ['an epoch number', '1709287200000'],
    ['garbage', 'next tuesday'],
    ['an empty string', ''],
    ['surrounding spaces', ' 2024-03-01T10:00:00Z '],
    ['month 13', '2024-13-01T10:00:00Z'],
    ['hour 25', '2024-03-01T25:00:00Z'],
    ['30 February', '2024-02-30T10:00:00Z'],
    ['29 February of a common year', '2023-02-29T10:00:00Z'],
    ['31 April', '2024-04-31T10:00:00+02:00'],
  ])('rejects %s', (_label, text) => {
    expect(parseInstant(text)).toBeUndefined()
  })
})

describe('parseDate', () => {
  it.each([
    ['2020-01-15', Date.UTC(2020, 0, 15)],
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['1970-01-01', 0],
    ['2026-12-31', Date.UTC(2026, 11, 31)],
  ])('parses %s as midnight UTC', (text, expected) => {
    expect(parseDate(text)).toBe(expected)
  })

  it.each([
    ['an instant', '2020-01-15T00:00:00Z'],
    ['single-digit month and day', '2020-1-5'],
    ['day-first order', '15-01-2020'],
    ['slashes', '2020/01/15'],
    ['month 13', '2020-13-01'],
    ['day 0', '2020-01-00'],
    ['day 32', '2020-01-32'],
    ['30 February', '2024-02-30'],
    ['29 February of a common year', '2023-02-29'],
    ['31 June', '2024-06-31'],
    ['garbage', 'soon'],
    ['an empty string', ''],
  ])('rejects %s', (_label, text) => {
    expect(parseDate(text)).toBeUndefined()
  })
})

describe('utcDate', () => {
  it('parses a valid calendar date', () => {
    expect(utcDate('2020-03-04')).toBe(Date.UTC(2020, 2, 4))
  })

  it.each(['2020-02-30', '2020-03-04T00:00:00Z', 'not a date'])('throws a RangeError for %j', (text) => {
    expect(() => utcDate(text)).toThrow(new RangeError(`not a calendar date: ${text}`))
  })
})

describe('formatInstant', () => {
  it('writes an ISO 8601 UTC timestamp with milliseconds', () => {
    expect(formatInstant(Date.UTC(2024, 2, 2, 10))).toBe('2024-03-02T10:00:00.000Z')
  })

  it('round-trips through parseInstant', () => {
    const at = Date.UTC(2024, 2, 2, 10, 11, 12, 13)
    expect(parseInstant(formatInstant(at))).toBe(at)
  })

  // A broken timestamp (a Messenger `timestamp` of -1e16) may be stored: showing it must not fail.
  it.each([
    ['the last instant a Date holds', 8.64e15, '+275760-09-13T00:00:00.000Z'],
    ['one millisecond after it', 8.64e15 + 1, '+275760-09-13T00:00:00.001Z'],
    ['a day after it', 8.64e15 + DAY_MS + 3_723_004, '+275760-09-14T01:02:03.004Z'],
    ['the first instant a Date holds', -8.64e15, '-271821-04-20T00:00:00.000Z'],
    ['one millisecond before it', -8.64e15 - 1, '-271821-04-19T23:59:59.999Z'],
    ['-1e16', -1e16, '-314918-08-13T06:13:20.000Z'],
  ])('writes %s with an expanded year', (_label, at, text) => {
    expect(formatInstant(at)).toBe(text)
  })

  it('writes instants far past any calendar with every digit of their year, never an exponent', () => {
    for (const at of [1e21, -1e21, 1e308, -Number.MAX_VALUE])
      expect(formatInstant(at)).toMatch(/^[+-]\d{6,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
  })

  it('refuses what is not an instant', () => {
    for (const at of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
      expect(() => formatInstant(at)).toThrow(RangeError)
  })
})

describe('formatHuman', () => {
  it('agrees with Date’s own calendar for any instant from 1900 to 2200, leap days included', () => {
    const viaDate = (at: number): string => {
      const iso = new Date(at).toISOString()
      const seconds = iso.slice(17, 19)
      return `${iso.slice(0, 10)} ${iso.slice(11, 16)}${seconds === '00' ? '' : `:${seconds}`} UTC`
    }
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) }), (at) => {
        expect(formatHuman(at)).toBe(viaDate(at))
      }),
      { numRuns: 20_000 },
    )
    for (const at of [Date.UTC(2024, 1, 29, 23, 59, 59), Date.UTC(2000, 1, 29), Date.UTC(2100, 2, 1), 0, -1])
      expect(formatHuman(at)).toBe(viaDate(at))
  })

  it.each([
    ['leaves out zero seconds', Date.UTC(2024, 2, 2, 10), '2024-03-02 10:00 UTC'],
    ['shows seconds that are not zero', Date.UTC(2024, 2, 2, 10, 5, 7), '2024-03-02 10:05:07 UTC'],
    ['leaves out milliseconds', Date.UTC(2024, 2, 2, 10, 5, 0, 999), '2024-03-02 10:05 UTC'],
    ['writes the epoch', 0, '1970-01-01 00:00 UTC'],
  ])('%s', (_label, at, text) => {
    expect(formatHuman(at)).toBe(text)
  })
})
