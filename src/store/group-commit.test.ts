import { describe, expect, it } from 'vitest'
import { GroupCommit } from './group-commit.js'

describe('group commit', () => {
  it('writes the items handed over in one turn together, and answers each caller once written', async () => {
    const commits: number[][] = []
    let committed = 0
    const writer = new GroupCommit<number>(
      (items) => {
        commits.push([...items])
        return Promise.resolve()
      },
      () => committed++,
    )
    const settled: number[] = []
    const writes = [1, 2, 3].map((item) => writer.write(item).then(() => settled.push(item)))
    expect(commits).toEqual([])
    await Promise.all(writes)
    expect(commits).toEqual([[1, 2, 3]])
    expect(settled).toEqual([1, 2, 3])
    expect(committed).toBe(1)
  })

  it('batches what arrives during a write into the next one, at most maxBatch at a time', async () => {
    const commits: number[][] = []
    let release: () => void = () => undefined
    const writer = new GroupCommit<number>(
      (items) => {
        commits.push([...items])
        return commits.length === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()
      },
      undefined,
      2,
    )
    const first = writer.write(1)
    await new Promise((resolve) => setImmediate(resolve))
    const later = [2, 3, 4].map((item) => writer.write(item))
    release()
    await Promise.all([first, ...later])
    await writer.flushed()
    expect(commits).toEqual([[1], [2, 3], [4]])
  })

  it('fails only the caller whose item cannot be written: the batch is retried item by item', async () => {
    const written: number[] = []
    const writer = new GroupCommit<number>((items) => {
      if (items.includes(13)) return Promise.reject(new Error('13 is refused'))
      written.push(...items)
      return Promise.resolve()
    })
    const outcomes = await Promise.allSettled([12, 13, 14].map((item) => writer.write(item)))
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('13 is refused'))
    expect(written).toEqual([12, 14])
  })

  it('fails the whole batch at once when the database cannot be reached, instead of trying each item alone', async () => {
    const commits: number[][] = []
    const writer = new GroupCommit<number>((items) => {
      commits.push([...items])
      return Promise.reject(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }))
    })
    const outcomes = await Promise.allSettled([1, 2, 3].map((item) => writer.write(item)))
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect(commits).toEqual([[1, 2, 3]])
  })

  it('flushed() waits for writes in flight, and resolves at once when idle', async () => {
    const written: number[] = []
    const writer = new GroupCommit<number>(async (items) => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      written.push(...items)
    })
    await writer.flushed()
    void writer.write(7)
    await writer.flushed()
    expect(written).toEqual([7])
  })
})
