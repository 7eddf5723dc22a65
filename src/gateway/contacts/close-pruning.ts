import type { Logger } from 'pino'
import { DAY_MS, MINUTE_MS } from '../../domain/index.js'
import { channelJob, channelJobId, JOB_KINDS } from '../../scheduler/jobs.js'
import type { JobHandler, JobOutcome } from '../../scheduler/scheduler.js'
import type { Clock } from '../../shared/clock.js'
import {
  CLOSES_PRUNED_PER_CALL,
  type ChannelRecord,
  type ScheduledJob,
  type Store,
} from '../../store/store.js'

/**
 * A window's announced close is filed beside it (store: window-closes.ts) and spent once the window is announced
 * open again. SQLite removes it then; on PostgreSQL another instance's scheduler may be claiming it at that moment,
 * so spent closes stay until this daily job removes those that closed over a day ago.
 */

/** A run removes at most this many slices (of the store's size), then comes back soon for the rest. */
const SLICES_PER_RUN = 20
const RUN_AGAIN_MS = MINUTE_MS

export function pruneClosesJobId(channelId: string): string {
  return channelJobId(JOB_KINDS.pruneCloses, channelId)
}

export function pruneClosesJob(channel: ChannelRecord, dueAt: number): ScheduledJob {
  return channelJob(JOB_KINDS.pruneCloses, channel.id, dueAt)
}

export interface PruneClosesDependencies {
  readonly store: Store
  readonly clock: Clock
  readonly logger: Logger
}

/** At start: each channel's prune job, due now unless one is pending already. A failure is logged, never fatal. */
export async function scheduleClosePrunes(deps: PruneClosesDependencies): Promise<void> {
  try {
    const now = deps.clock()
    const due: ScheduledJob[] = []
    for (const channel of await deps.store.listChannels()) {
      const job = await deps.store.getJob(pruneClosesJobId(channel.id))
      if (job?.status !== 'pending') due.push(pruneClosesJob(channel, now))
    }
    await deps.store.scheduleJobs(due, now)
  } catch (error) {
    deps.logger.warn({ err: error }, 'could not schedule the pruning of spent window closes')
  }
}

/** Prunes the channel's spent closes, then runs again a day later (a minute later when more were left). */
export function pruneClosesHandler(deps: PruneClosesDependencies): JobHandler {
  return async (job, now): Promise<JobOutcome> => {
    let removed = 0
    for (let slice = 0; slice < SLICES_PER_RUN; slice++) {
      const count = await deps.store.pruneSpentCloses(job.channelId, now - DAY_MS)
      removed += count
      if (count < CLOSES_PRUNED_PER_CALL) {
        if (removed > 0) deps.logger.info({ channel: job.channelId, removed }, 'spent window closes pruned')
        return { done: false, runAt: now + DAY_MS }
      }
    }
    return { done: false, runAt: now + RUN_AGAIN_MS }
  }
}
