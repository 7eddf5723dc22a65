import type { Instant } from '../domain/index.js'

/** Where the gateway reads the time; tests pass a fake one. */
export type Clock = () => Instant

export const systemClock: Clock = () => Date.now()
