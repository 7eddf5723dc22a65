import { useCallback, useEffect, useState } from 'react'
import { ApiError, request, type Channel, type Page, type TemplateJson } from '../api.js'

export function TemplatesPage({ apiKey, channel }: { readonly apiKey: string; readonly channel: Channel }) {
  const [templates, setTemplates] = useState<TemplateJson[] | null>(null)
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const [busy, setBusy] = useState(false)
  const load = useCallback(() => {
    request<Page<TemplateJson>>(apiKey, 'GET', `/v1/channels/${channel.id}/templates`).then(
      (page) => {
        setTemplates(page.data)
      },
      (error: unknown) => {
        setMessage({ ok: false, text: error instanceof ApiError ? error.message : String(error) })
      },
    )
  }, [apiKey, channel.id])
  useEffect(load, [load])

  const sync = async () => {
    setBusy(true)
    setMessage(null)
    try {
      const result = await request<{ added: number; updated: number; unchanged: number; removed: number }>(
        apiKey,
        'POST',
        `/v1/channels/${channel.id}/templates/sync`,
      )
      setMessage({
        ok: true,
        text: `Synced with Meta: ${result.added} added, ${result.updated} updated, ${result.unchanged} unchanged, ${result.removed} removed.`,
      })
      load()
    } catch (error) {
      setMessage({ ok: false, text: error instanceof ApiError ? error.message : String(error) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <main className="templates">
      <h1>Templates</h1>
      <button
        type="button"
        className="primary"
        onClick={() => void sync()}
        disabled={busy || channel.platform !== 'whatsapp'}
      >
        {busy ? 'Syncing…' : 'Sync with Meta'}
      </button>
      {message !== null && (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'sent' : 'error'}>
          {message.text}
        </p>
      )}
      {templates !== null && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Language</th>
              <th scope="col">Status</th>
              <th scope="col">Category</th>
              <th scope="col">Issue Resolution</th>
              <th scope="col">Body</th>
            </tr>
          </thead>
          <tbody>
            {templates.map((template) => (
              <tr key={`${template.name}/${template.language}`}>
                <td>{template.name}</td>
                <td>{template.language}</td>
                <td>
                  <span className={`status status-${template.status.toLowerCase()}`}>{template.status}</span>
                </td>
                <td>{template.category}</td>
                <td>{template.issue_resolution ? 'Yes' : 'No'}</td>
                <td className="body">{template.body}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  )
}
