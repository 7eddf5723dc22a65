import { formatInstant, renderTemplate, type Template } from '../domain/index.js'

/**
 * A template in the native API: the same snake_case fields a template definition takes (so a response can be
 * edited and sent back), plus `preview`, the template as the contact would see it with its placeholders unfilled.
 */
export function templateJson(template: Template): Record<string, unknown> {
  const preview = renderTemplate(template)
  return {
    name: template.name,
    language: template.language,
    category: template.category,
    status: template.status,
    issue_resolution: template.issueResolution,
    ...(template.header === undefined ? {} : { header: template.header }),
    body: template.body,
    ...(template.footer === undefined ? {} : { footer: template.footer }),
    ...(template.buttons === undefined
      ? {}
      : {
          buttons: template.buttons.map((button) =>
            button.type === 'PHONE_NUMBER'
              ? { type: button.type, text: button.text, phone_number: button.phoneNumber }
              : button,
          ),
        }),
    ...(template.categoryChanges === undefined
      ? {}
      : {
          category_changes: template.categoryChanges.map((change) => ({
            at: formatInstant(change.at),
            previous: change.previous,
          })),
        }),
    ...(template.libraryKey === undefined ? {} : { library_key: template.libraryKey }),
    preview: {
      header: preview.header,
      body: preview.body,
      footer: preview.footer,
      buttons: preview.buttons,
    },
  }
}
