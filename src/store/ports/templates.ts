import type { Instant, Template } from '../../domain/index.js'

/** A channel's message templates (name and language), with Meta's status, category and the Issue Resolution tag. */
export interface TemplateStore {
  upsertTemplate(channelId: string, template: Template, at: Instant): Promise<void>
  /** {@link upsertTemplate} for many templates (distinct names and languages), in few statements. */
  upsertTemplates(channelId: string, templates: readonly Template[], at: Instant): Promise<void>
  getTemplate(channelId: string, name: string, language: string): Promise<Template | undefined>
  listTemplates(channelId: string): Promise<Template[]>
  deleteTemplate(channelId: string, name: string, language: string): Promise<boolean>
}
