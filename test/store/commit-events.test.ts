import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CommittedEvent, Store } from '../../src/store/store.js'
import { DIALECTS, type TestDatabase } from './test-databases.js'

const event = (payload: string): CommittedEvent => ({ tenantId: 'acme', type: 'window.opened', payload })

for (const dialect of DIALECTS) {
  describe(`events announced through the ${dialect.name} store`, () => {
    let database: TestDatabase | undefined
    let store: Store

    beforeAll(async () => {
      database = await dialect.createDatabase()
      store = await database.open()
    })
    afterAll(async () => {
      await database?.destroy()
    })

    it('are heard only once their transaction has committed, and never after a rollback', async () => {
      const heard: string[] = []
      const stop = store.listen((committed) => heard.push(committed.payload))
      await store.transaction(async (tx) => {
        tx.notify(event('kept'))
        await tx.transaction((inner) => {
          inner.notify(event('kept, nested'))
          return Promise.resolve()
        })
        expect(heard).toEqual([])
      })
      expect(heard).toEqual(['kept', 'kept, nested'])
      await expect(
        store.transaction((tx) => {
          tx.notify(event('rolled back'))
          return Promise.reject(new Error('undone'))
        }),
      ).rejects.toThrow('undone')
      // Outside a transaction there is nothing to wait for.
      store.notify(event('at once'))
      stop()
      store.notify(event('not heard'))
      expect(heard).toEqual(['kept', 'kept, nested', 'at once'])
    })

    it('keeps the events of the transactions that commit when one grouped with them fails', async () => {
      const heard: string[] = []
      const stop = store.listen((committed) => heard.push(committed.payload))
      // Asked for in the same turn: SQLite runs them in one database transaction, each in a savepoint.
      const outcomes = await Promise.allSettled([
        store.transaction((tx) => {
          tx.notify(event('first'))
          return Promise.resolve()
        }),
        store.transaction((tx) => {
          tx.notify(event('failed'))
          return Promise.reject(new Error('undone'))
        }),
        store.transaction((tx) => {
          tx.notify(event('third'))
          return Promise.resolve()
        }),
      ])
      stop()
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
      expect(heard.sort()).toEqual(['first', 'third'])
    })

    it('goes on telling the others when a listener throws', async () => {
      const heard: string[] = []
      const stopThrowing = store.listen(() => {
        throw new Error('a broken listener')
      })
      const stop = store.listen((committed) => heard.push(committed.payload))
      await store.transaction((tx) => {
        tx.notify(event('told'))
        return Promise.resolve()
      })
      stopThrowing()
      stop()
      expect(heard).toEqual(['told'])
    })

    it('runs what waits for a commit after it, in order with the events, never after a rollback', async () => {
      const ran: string[] = []
      const stop = store.listen((committed) => ran.push(`event ${committed.payload}`))
      await store.transaction(async (tx) => {
        tx.afterCommit(() => ran.push('first'))
        tx.notify(event('between'))
        await tx.transaction((inner) => {
          inner.afterCommit(() => ran.push('nested'))
          return Promise.resolve()
        })
        expect(ran).toEqual([])
      })
      expect(ran).toEqual(['first', 'event between', 'nested'])
      await expect(
        store.transaction((tx) => {
          tx.afterCommit(() => ran.push('rolled back'))
          return Promise.reject(new Error('undone'))
        }),
      ).rejects.toThrow('undone')
      store.afterCommit(() => ran.push('at once'))
      stop()
      expect(ran).toEqual(['first', 'event between', 'nested', 'at once'])
    })

    it('runs the other callbacks, and resolves the transaction, when one of them throws', async () => {
      const ran: string[] = []
      const value = await store.transaction((tx) => {
        tx.afterCommit(() => {
          throw new Error('a broken callback')
        })
        tx.afterCommit(() => ran.push('after it'))
        return Promise.resolve('committed')
      })
      expect(value).toBe('committed')
      expect(ran).toEqual(['after it'])
    })
  })
}
