import type { Template } from '../../domain/index.js'
import type { Connection } from './connection.js'

/** Templates (TemplateStore): kept as their definition's JSON, with the columns lists filter on. */

export async function upsertTemplate(
  c: Connection,
  channelId: string,
  template: Template,
  at: number,
): Promise<void> {
  await upsertTemplates(c, channelId, [template], at)
}

/** Rows per statement: SQLite limits the parameters one statement binds. */
const UPSERT_SLICE = 200

/** Creates or replaces each template by name and language, a slice of them per statement. */
export async function upsertTemplates(
  c: Connection,
  channelId: string,
  templates: readonly Template[],
  at: number,
): Promise<void> {
  for (let start = 0; start < templates.length; start += UPSERT_SLICE) {
    const rows = templates.slice(start, start + UPSERT_SLICE).map((template) => ({
      channel_id: channelId,
      name: template.name,
      language: template.language,
      category: template.category,
      status: template.status,
      issue_resolution: template.issueResolution ? 1 : 0,
      definition_json: JSON.stringify(template),
      updated_at: at,
    }))
    await c.db
      .insertInto('templates')
      .values(rows)
      .onConflict((conflict) =>
        conflict.columns(['channel_id', 'name', 'language']).doUpdateSet((eb) => ({
          category: eb.ref('excluded.category'),
          status: eb.ref('excluded.status'),
          issue_resolution: eb.ref('excluded.issue_resolution'),
          definition_json: eb.ref('excluded.definition_json'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute()
  }
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
