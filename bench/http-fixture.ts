/**
 * What the HTTP benchmarks send: one tenant with WhatsApp channels on the sandbox upstream (or forwarding to a
 * local fake Graph), Meta's inbound text notification (meta-platform.md §2.3) for a new contact and message id
 * every time, signed with the channels' app secret, and Graph text sends to contacts whose windows are open.
 *
 * The sends keep within Meta's limits, as carewindow holds them to (config/rate-settings.ts): a number takes at
 * most 1,000 messages a second on Meta's highest tier, so they are spread over `SEND_NUMBERS` numbers at that tier —
 * more than one carewindow on this machine can send — and over enough contacts that none of them gets more than the
 * pair rate's burst of 45 in a run.
 */
import { createHmac } from 'node:crypto'

export const PHONE_NUMBER_ID = '106540352242922'

/** The numbers the proxy sends go out on; contact `index` writes to and is sent from number `index % SEND_NUMBERS`. */
export const SEND_NUMBERS = 4

/** The phone number id of send number `k` (0 is `PHONE_NUMBER_ID`, which the ingest runs and the scheduler use). */
export function phoneNumberId(k: number): string {
  return k === 0 ? PHONE_NUMBER_ID : `10654035224293${k}`
}

/** The phone number id contact `index` writes to and is sent from. */
export function numberOfContact(index: number): string {
  return phoneNumberId(index % SEND_NUMBERS)
}
export const DISPLAY_PHONE_NUMBER = '15550783881'
export const WABA_ID = '102290129340398'
export const APP_SECRET = 'bench-app-secret-0123456789abcdef'
export const API_KEY = 'cw_bench_0123456789abcdefghijklmnopqrstuv'
export const GRAPH_VERSION = 'v21.0'

/** The access token the channel forwards with when it has a Graph to forward to. */
export const ACCESS_TOKEN = 'EAAGbench0123456789'

/**
 * The gateway's config file for the benchmarks; `status_delays_ms: []` keeps simulated statuses out of the load.
 * With `graphUrl`, the channel is a cloud channel forwarding there instead of to the sandbox.
 */
export function benchConfigFile(databaseUrl: string, graphUrl?: string): unknown {
  return {
    server: { host: '127.0.0.1', port: 0 },
    database: { url: databaseUrl },
    log_level: 'warn',
    sandbox: { status_delays_ms: [] },
    tenants: [
      {
        id: 'bench',
        api_keys: [{ name: 'bench', key: API_KEY }],
        channels: Array.from({ length: SEND_NUMBERS }, (_, k) => ({
          platform: 'whatsapp',
          id: phoneNumberId(k),
          upstream:
            graphUrl === undefined
              ? { mode: 'sandbox' }
              : { mode: 'cloud', base_url: graphUrl, access_token: ACCESS_TOKEN },
          app_secret: APP_SECRET,
          verify_token: 'bench-verify-token',
          // Meta's highest throughput tier.
          settings: { rate: { per_second: 1000 } },
        })),
      },
    ],
  }
}

const NAMES = ['Sheena Nelson', 'Daan de Vries', 'Emma Jansen', 'Lucas Bakker', 'Sophie Visser', 'Noah Smit']
const TEXTS = [
  'Does it come in another color?',
  'Hi, where is my order?',
  'Can I change the delivery address?',
  'Thanks, that helps!',
  'Is the store open on Sunday?',
]

/** A Dutch mobile number (`316` + 8 digits): contact `index` of the benchmark. */
export function contactNumber(index: number): string {
  return `316${String(index % 100_000_000).padStart(8, '0')}`
}

/**
 * Meta's inbound text notification from contact `index` to number `to` (the ingest runs' one number unless said),
 * with a message id of its own, sent at `at` (ms).
 */
export function inboundTextNotification(index: number, at: number, to: string = PHONE_NUMBER_ID): string {
  const from = contactNumber(index)
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: WABA_ID,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: DISPLAY_PHONE_NUMBER, phone_number_id: to },
              contacts: [{ profile: { name: NAMES[index % NAMES.length] }, wa_id: from }],
              messages: [
                {
                  from,
                  id: `wamid.HBgL${Buffer.from(`${from}:${index}`).toString('base64')}`,
                  timestamp: String(Math.floor(at / 1000)),
                  type: 'text',
                  text: { body: TEXTS[index % TEXTS.length] },
                },
              ],
            },
            field: 'messages',
          },
        ],
      },
    ],
  })
}

export interface SignedBody {
  readonly body: Buffer
  /** `X-Hub-Signature-256`. */
  readonly signature: string
}

export function signed(body: string): SignedBody {
  const bytes = Buffer.from(body)
  return { body: bytes, signature: `sha256=${createHmac('sha256', APP_SECRET).update(bytes).digest('hex')}` }
}

/**
 * Signed notifications, each from a contact never seen before. They are built and signed ahead of the run
 * (about 6 µs each, which would otherwise be spent in the load generator's process); past the prepared ones,
 * further bodies are signed as they are needed and counted, so a report can say so. With `cycle` (for the bare
 * baseline, which deduplicates nothing) the prepared ones are handed out again instead.
 */
export class SignedNotifications {
  private readonly prepared: SignedBody[] = []
  private readonly at: number
  private taken = 0
  signedDuringRun = 0

  constructor(
    private readonly firstContact: number,
    prepare: number,
    private readonly options: { readonly cycle?: boolean; readonly at?: number } = {},
  ) {
    this.at = options.at ?? Date.now()
    for (let i = 0; i < prepare; i++)
      this.prepared.push(signed(inboundTextNotification(firstContact + i, this.at)))
  }

  next(): SignedBody {
    const index = this.taken++
    const ready = this.prepared[this.options.cycle === true ? index % this.prepared.length : index]
    if (ready !== undefined) return ready
    this.signedDuringRun++
    return signed(inboundTextNotification(this.firstContact + index, this.at))
  }
}

/** A Graph text send to contact `index`, as a client of the Cloud API writes it. */
export function textSend(index: number): string {
  return JSON.stringify({
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: contactNumber(index),
    type: 'text',
    text: {
      preview_url: false,
      body: `Your ticket T-${index} has been updated; reply here if you have questions.`,
    },
  })
}
