import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'

/** What {@link beforeDeadline} resolves to when the deadline came first. */
export const TIMED_OUT = Symbol('timed out')

/** Resolves after `ms`, or sooner when one of `events` settles; the timer never outlives the wait. */
export async function waitAtMost(ms: number, events: readonly Promise<unknown>[]): Promise<void> {
  const timer = new AbortController()
  try {
    await Promise.race([...events, sleep(ms, undefined, { signal: timer.signal, ref: false })])
  } finally {
    timer.abort()
  }
}

/** What `work` resolves to, or {@link TIMED_OUT} when `deadline` (a `performance.now()` instant) comes first. */
export async function beforeDeadline<T>(work: Promise<T>, deadline: number): Promise<T | typeof TIMED_OUT> {
  const timer = new AbortController()
  try {
    return await Promise.race([
      work,
      sleep(Math.max(0, deadline - performance.now()), TIMED_OUT, { signal: timer.signal, ref: false }),
    ])
  } finally {
    timer.abort()
  }
}
