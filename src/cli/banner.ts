import type { RunningServer } from '../server.js'

/** What `carewindow serve` prints once it listens: where it is, and for the sandbox a walk-through to paste. */
export function startupBanner(server: RunningServer, version: string): string {
  const url = server.url
  const lines = [
    '',
    `carewindow ${version} is listening on ${url}   (store: ${server.store})`,
    `  API reference:  ${url}/docs`,
    `  Health:         ${url}/healthz · ${url}/readyz · ${url}/metrics`,
  ]
  const sandbox = server.sandbox
  if (sandbox === null) return [...lines, ''].join('\n')
  const id = sandbox.channel.externalId
  const key = sandbox.apiKey
  const auth = `-H "Authorization: Bearer ${key}"`
  const json = '-H "Content-Type: application/json"'
  return [
    ...lines,
    `  Sandbox:        tenant "${sandbox.tenantId}", WhatsApp channel ${id} (simulated Meta: nothing leaves this machine)`,
    `  API key:        ${key}${sandbox.isNew ? '   (new; kept in data/sandbox.json)' : '   (from data/sandbox.json)'}`,
    '',
    'Try it — paste these into another terminal:',
    '',
    '  # 1. Reply to a customer who never wrote: refused (131047), because no customer care window is open',
    `  curl -s ${url}/v21.0/${id}/messages ${auth} ${json} \\`,
    `    -d '{"messaging_product":"whatsapp","to":"31612345678","type":"text","text":{"body":"Hello!"}}'`,
    '',
    '  # 2. The customer writes "Hi" (the sandbox plays Meta\'s webhook for you)',
    `  curl -s ${url}/v1/sandbox/${id}/inbound ${auth} ${json} -d '{"from":"31612345678","text":"Hi"}'`,
    '',
    "  # 3. The same reply is now allowed; Graph's answer comes back with a wamid",
    `  curl -s ${url}/v21.0/${id}/messages ${auth} ${json} \\`,
    `    -d '{"messaging_product":"whatsapp","to":"31612345678","type":"text","text":{"body":"Hello!"}}'`,
    '',
    '  # 4. When does the window close?',
    `  curl -s ${url}/v1/channels/${id}/contacts/31612345678/window ${auth}`,
    '',
  ].join('\n')
}
