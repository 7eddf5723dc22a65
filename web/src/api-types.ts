/** The JSON the dashboard reads from the /v1 API: types only, free of the browser, so tests can share them. */

export interface Channel {
  readonly platform: 'whatsapp' | 'messenger'
  readonly id: string
  readonly upstream: string
}

export interface WindowJson {
  readonly state: 'open' | 'closed'
  readonly type: string | null
  readonly opened_at: string | null
  readonly last_user_message_at: string | null
  readonly expires_at: string | null
  readonly seconds_left: number
  readonly free_entry_point_expires_at: string | null
}

export interface ContactRow {
  readonly contact_id: string
  readonly country: string | null
  readonly profile_name: string | null
  readonly window: WindowJson
}

export interface Page<T> {
  readonly data: T[]
  readonly paging: { readonly next_cursor: string | null }
}

export interface Price {
  readonly amount: string
  readonly amount_micros: number
  readonly currency: string
}

export interface Decision {
  readonly allowed: boolean
  readonly reason: string
  readonly rules: readonly string[]
  readonly billing?: Record<string, unknown> | null
  readonly explanation?: string | null
  readonly error?: { readonly code: number; readonly title: string; readonly details: string } | null
}

export interface MessageJson {
  readonly id: string
  readonly direction: 'inbound' | 'outbound'
  readonly contact_id: string
  readonly at: string
  readonly status: string | null
  readonly text?: string | null
  readonly type?: string | null
  readonly template?: { readonly name: string; readonly language: string } | null
  readonly decision?: Decision | null
  readonly price?: Price | null
  readonly meta_pricing?: Record<string, unknown> | null
}

export interface TemplateJson {
  readonly name: string
  readonly language: string
  readonly category: string
  readonly status: string
  readonly issue_resolution: boolean
  readonly header?: { readonly format: string; readonly text?: string }
  readonly body: string
  readonly buttons?: readonly {
    readonly type: string
    readonly text?: string
    readonly url?: string
    readonly phone_number?: string
  }[]
}

export interface DryRun extends Decision {
  readonly price?: Price | null
  readonly window?: Partial<WindowJson>
}
