import { describe, expect, it } from 'vitest'
import type { CommitListener, CommittedEvent, Store } from '../../store/store.js'
import { EventStreams, sseFrame, type EventSink } from './event-streams.js'

/** A store that only announces: what EventStreams uses of one. */
function announcingStore(): { store: Store; tell: (event: CommittedEvent) => void; listeners: () => number } {
  const listeners = new Set<CommitListener>()
  const store = {
    listen(listener: CommitListener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  } as unknown as Store
  return {
    store,
    tell: (event) => {
      for (const listener of listeners) listener(event)
    },
    listeners: () => listeners.size,
  }
}

function sink(tenantId: string): EventSink & { readonly heard: string[]; ended: boolean } {
  const heard: string[] = []
  const result = {
    tenantId,
    heard,
    ended: false,
    send: (event: CommittedEvent) => heard.push(event.payload),
    end: () => {
      result.ended = true
    },
  }
  return result
}

describe('sseFrame', () => {
  it('frames an event with its type and its body as data', () => {
    expect(sseFrame({ tenantId: 't', type: 'window.opened', payload: '{"a":1}' })).toBe(
      'event: window.opened\ndata: {"a":1}\n\n',
    )
  })

  it('sends a body with line breaks as one data line per line, which a client joins again', () => {
    expect(sseFrame({ tenantId: 't', type: 'whatsapp.notification', payload: '{\n  "a": 1\r\n}' })).toBe(
      'event: whatsapp.notification\ndata: {\ndata:   "a": 1\ndata: }\n\n',
    )
  })
})

describe('EventStreams', () => {
  it('tells each stream its own tenant’s events only', () => {
    const { store, tell } = announcingStore()
    const streams = new EventStreams(store)
    const acme = sink('acme')
    const globex = sink('globex')
    expect(streams.open(acme)).toBe(true)
    expect(streams.open(globex)).toBe(true)
    tell({ tenantId: 'acme', type: 'window.closed', payload: 'for acme' })
    expect(acme.heard).toEqual(['for acme'])
    expect(globex.heard).toEqual([])
  })

  it('refuses a stream beyond its limit until one closes, and listens to the store only while one is open', () => {
    const { store, listeners } = announcingStore()
    const streams = new EventStreams(store, { maxStreams: 2 })
    const [one, two, three] = [sink('a'), sink('a'), sink('a')]
    expect(listeners()).toBe(0)
    expect(streams.open(one)).toBe(true)
    expect(streams.open(two)).toBe(true)
    expect(streams.open(three)).toBe(false)
    expect(listeners()).toBe(1)
    streams.close(one)
    expect(streams.open(three)).toBe(true)
    streams.closeAll()
    expect([one.ended, two.ended, three.ended]).toEqual([false, true, true])
    expect(streams.size).toBe(0)
    expect(listeners()).toBe(0)
  })
})
