import type { Template } from '../../domain/index.js'
import type { Connection } from './connection.js'

/** Templates (TemplateStore): kept as their definition's JSON, with the columns lists filter on. */

export async function upsertTemplate(
  c: Connection,
  channelId: string,
  template: Template,
  at: number,
): Promise<void> {
  const values = {
    category: template.category,
    status: template.status,
    issue_resolution: template.issueResolution ? 1 : 0,
    definition_json: JSON.stringify(template),
    updated_at: at,
  }
  await c.db
    .insertInto('templates')
    .values({ ...values, channel_id: channelId, name: template.name, language: template.language })
    .onConflict((conflict) => conflict.columns(['channel_id', 'name', 'language']).doUpdateSet(values))
    .execute()
}

export async function getTemplate(
  c: Connection,
  channelId: string,
  name: string,
  language: string,
): Promise<Template | undefined> {
  const row = await c.db
    .selectFrom('templates')
    .select('definition_json')
    .where('channel_id', '=', channelId)
    .where('name', '=', name)
    .where('language', '=', language)
    .executeTakeFirst()
  return row && (JSON.parse(row.definition_json) as Template)
}

export async function listTemplates(c: Connection, channelId: string): Promise<Template[]> {
  const rows = await c.db
    .selectFrom('templates')
    .select('definition_json')
    .where('channel_id', '=', channelId)
    .orderBy('name')
    .orderBy('language')
    .execute()
  return rows.map((row) => JSON.parse(row.definition_json) as Template)
}

export async function deleteTemplate(
  c: Connection,
  channelId: string,
  name: string,
  language: string,
): Promise<boolean> {
  const result = await c.db
    .deleteFrom('templates')
    .where('channel_id', '=', channelId)
    .where('name', '=', name)
    .where('language', '=', language)
    .executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}
