import { describe, expect, it } from 'vitest'
import { parseDatabaseUrl } from './database-url.js'

describe('parseDatabaseUrl', () => {
  it.each([
    [
      'postgres://carewindow:secret@db:5432/carewindow',
      { kind: 'postgres', url: 'postgres://carewindow:secret@db:5432/carewindow' },
    ],
    ['postgresql://db/carewindow', { kind: 'postgres', url: 'postgresql://db/carewindow' }],
    ['sqlite:./data/x.db', { kind: 'sqlite', path: './data/x.db' }],
    ['sqlite:///var/lib/carewindow.db', { kind: 'sqlite', path: '/var/lib/carewindow.db' }],
    ['sqlite::memory:', { kind: 'sqlite', path: ':memory:' }],
    ['./data/carewindow.db', { kind: 'sqlite', path: './data/carewindow.db' }],
    ['/var/lib/carewindow.db', { kind: 'sqlite', path: '/var/lib/carewindow.db' }],
    ['carewindow.db', { kind: 'sqlite', path: 'carewindow.db' }],
    ['C:\\carewindow\\data.db', { kind: 'sqlite', path: 'C:\\carewindow\\data.db' }],
  ])('reads %s', (url, location) => {
    expect(parseDatabaseUrl(url)).toEqual(location)
  })

  it.each([
    'mysql://x',
    'postgress://db/carewindow',
    'postgres:db',
    'http://db.example/',
    'file:./x.db',
    'mongodb+srv://a',
  ])('refuses %s, which would otherwise become a SQLite file named after it', (url) => {
    expect(parseDatabaseUrl(url)).toBeNull()
  })
})
