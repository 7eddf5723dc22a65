import type { Logger } from 'pino'
import { MINUTE_MS, type Instant } from '../../domain/index.js'
import { channelJob, channelJobId, JOB_KINDS } from '../../scheduler/jobs.js'
import type { JobHandler, JobOutcome } from '../../scheduler/scheduler.js'
import type { GatewayConfig } from '../../config/config.js'
import type { ChannelRecord, ScheduledJob } from '../../store/store.js'
import { describeSync, syncChannelTemplates, type TemplateSyncDependencies } from './template-sync.js'

/** When the gateway reads its channels' templates from Meta by itself. */
export interface TemplateSyncSchedule {
  /** Read every WhatsApp Business Account's list at start (the scheduler runs it soon after). */
  readonly onStart: boolean
  /** Then again every this many ms; 0: only at start, after webhooks and when asked (API, CLI). */
  readonly intervalMs: number
}

export function templateScheduleOf(config: GatewayConfig): TemplateSyncSchedule {
  return { onStart: config.templateSyncOnStart, intervalMs: config.templateSyncIntervalMs }
}

/** A sync that failed (Meta unreachable, a page refused) is tried again after this long, or the interval if sooner. */
export const FAILED_SYNC_RETRY_MS = 15 * MINUTE_MS

/**
 * A start whose channel was synced less than this long ago (by another instance starting with it, say) does not
 * sync it again.
 */
const RECENT_SYNC_MS = 5 * MINUTE_MS

/** One sync job per channel: scheduling it again moves it, so a burst of webhooks is one sync. */
export function templateSyncJobId(channelId: string): string {
  return channelJobId(JOB_KINDS.templateSync, channelId)
}

/**
 * The channel's sync job, due at `dueAt` (now: at start, after a webhook about a template the channel does not
 * have, when a channel gets its `waba_id`; then every interval). Other jobs are a contact's; this one the channel's.
 */
export function templateSyncJob(channel: ChannelRecord, dueAt: Instant): ScheduledJob {
  return channelJob(JOB_KINDS.templateSync, channel.id, dueAt)
}

/**
 * At start: a sync job due now for every WhatsApp channel with a `waba_id` — in the database, so that with several
 * instances on one PostgreSQL each channel's job is claimed by one of them — unless the channel was synced moments
 * ago. A database that fails here fails no start: it is logged, as each sync's outcome is.
 */
export async function scheduleStartSyncs(
  deps: Pick<TemplateSyncJobDependencies, 'store' | 'clock' | 'logger'>,
  schedule: TemplateSyncSchedule,
): Promise<void> {
  if (!schedule.onStart) return
  try {
    const now = deps.clock()
    const channels = (await deps.store.listChannels({ platform: 'whatsapp' })).filter(
      (channel) => channel.wabaId !== null,
    )
    const due: ScheduledJob[] = []
    for (const channel of channels) {
      const job = await deps.store.getJob(templateSyncJobId(channel.id))
      // A synced channel's job waits one interval from its last run.
      const isRecent =
        job?.status === 'pending' &&
        schedule.intervalMs > 0 &&
        job.dueAt - schedule.intervalMs > now - RECENT_SYNC_MS
      if (!isRecent) due.push(templateSyncJob(channel, now))
    }
    await deps.store.scheduleJobs(due, now)
    if (due.length > 0)
      deps.logger.info({ channels: due.length }, 'template syncs with Meta scheduled at start')
  } catch (error) {
    deps.logger.warn({ err: error }, 'could not schedule the template syncs of the start')
  }
}

export interface TemplateSyncJobDependencies extends TemplateSyncDependencies {
  readonly logger: Logger
  readonly channelById: (id: string) => Promise<ChannelRecord | undefined>
}

/**
 * Runs a channel's sync job and logs what came of it: the counts, or why it failed (nothing changed then; it is tried
 * again in {@link FAILED_SYNC_RETRY_MS}). A synced channel's job comes back after the schedule's interval. A failure
 * is a value here, never a thrown error: the job must not be retried at once, hammering an account that refuses.
 */
export function templateSyncHandler(
  deps: TemplateSyncJobDependencies,
  schedule: TemplateSyncSchedule,
): JobHandler {
  return async (job, now): Promise<JobOutcome> => {
    const channel = await deps.channelById(job.channelId)
    if (channel === undefined) return { done: true }
    const result = await syncChannelTemplates(deps, channel)
    const about = { channel: channel.externalId }
    switch (result.outcome) {
      case 'no_account':
        // The waba_id was removed since the job was scheduled: nothing to read any more.
        return { done: true }
      case 'synced':
        deps.logger.info(
          { ...about, wabaId: result.wabaId, pages: result.pages, skipped: result.skipped.slice(0, 20) },
          `templates synced with Meta: ${describeSync(result)}`,
        )
        return schedule.intervalMs > 0 ? { done: false, runAt: now + schedule.intervalMs } : { done: true }
      case 'failed': {
        deps.logger.warn(
          { ...about, wabaId: result.wabaId, problem: result.reason },
          'template sync with Meta failed; the templates are as they were',
        )
        const retryMs =
          schedule.intervalMs > 0 ? Math.min(FAILED_SYNC_RETRY_MS, schedule.intervalMs) : FAILED_SYNC_RETRY_MS
        return { done: false, runAt: now + retryMs }
      }
    }
  }
}
