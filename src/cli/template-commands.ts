import type { Command } from 'commander'
import { graphPassthrough } from '../channels/graph-passthrough.js'
import { sandboxPassthrough } from '../channels/sandbox-passthrough.js'
import { describeSync, syncChannelTemplates } from '../gateway/templates/template-sync.js'
import { systemClock } from '../shared/clock.js'
import type { ChannelRecord, Store } from '../store/store.js'
import { configOption, withStore } from './admin-commands.js'
import { FailureError, InputError, type CliOutput } from './output.js'

/**
 * `carewindow templates sync [--channel ID]`: reads each WhatsApp Business Account's `message_templates` from Meta
 * (every page, with the channel's token) into its channels' templates, as a running gateway does at start and on its
 * schedule, and prints what changed per channel. A running server sees the result within DIRECTORY_TTL_MS (5 s).
 * Sandbox channels read the sandbox's list, which in a process of its own starts from the registry.
 */
export function registerTemplateSyncCommand(templates: Command, output: CliOutput): void {
  templates
    .command('sync')
    .description(
      'read Meta’s message_templates of each WhatsApp channel with a waba_id into its templates; print what changed',
    )
    .option('--channel <id>', 'only this channel (its phone_number_id)')
    .addOption(configOption())
    .action(async (options: { channel?: string; config?: string }) => {
      const { synced, failed } = await withStore(options.config, async (store, config) => {
        const channels = await channelsToSync(store, options.channel)
        const cloud = graphPassthrough(config.upstreamTimeoutMs)
        const sandbox = sandboxPassthrough<ChannelRecord>((channel) => store.listTemplates(channel.id))
        const deps = {
          store,
          clock: systemClock,
          passthroughFor: (channel: ChannelRecord) => (channel.upstream.mode === 'cloud' ? cloud : sandbox),
        }
        let failures = 0
        try {
          for (const channel of channels) {
            const result = await syncChannelTemplates(deps, channel)
            if (result.outcome === 'no_account') throw new InputError(result.reason)
            if (result.outcome === 'failed') {
              failures++
              output.err(`${channel.externalId} (WABA ${result.wabaId}): ${result.reason}\n`)
              continue
            }
            output.out(`${channel.externalId} (WABA ${result.wabaId}): ${describeSync(result)}\n`)
            for (const skipped of result.skipped)
              output.out(`  skipped ${skipped.name ?? '?'} (${skipped.language ?? '?'}): ${skipped.reason}\n`)
          }
        } finally {
          await cloud.close()
        }
        return { synced: channels.length - failures, failed: failures }
      })
      if (failed > 0)
        throw new FailureError(
          `${failed} of ${synced + failed} channels could not be synced; nothing changed on them`,
        )
    })
}

async function channelsToSync(store: Store, id: string | undefined): Promise<ChannelRecord[]> {
  if (id !== undefined) {
    const channel = await store.findChannel('whatsapp', id)
    if (channel === undefined) throw new InputError(`there is no WhatsApp channel ${id}`)
    return [channel]
  }
  const channels = (await store.listChannels({ platform: 'whatsapp' })).filter(
    (channel) => channel.wabaId !== null,
  )
  if (channels.length === 0)
    throw new InputError(
      'no WhatsApp channel has a waba_id to sync; set one with carewindow channel add --waba-id or waba_id in the config file',
    )
  return channels
}
