import type { RunningServer } from '../server.js'

/** What `carewindow serve` prints once it listens: where it is, and for the sandbox a walk-through to paste. */
export function startupBanner(server: RunningServer, version: string): string {
  const url = server.url
  const lines = [
    '',
    `carewindow ${version} is listening on ${url}   (store: ${server.store})`,
    `  Dashboard:      ${url}/   (sign in with ${server.sandbox === null ? 'a tenant’s API key' : 'the API key below'})`,
    `  API reference:  ${url}/docs`,
    `  Health:         ${url}/healthz · ${url}/readyz · ${url}/metrics`,
  ]
  const sandbox = server.sandbox
  if (sandbox === null) return [...lines, ''].join('\n')
  const id = sandbox.channel.externalId
  return [
    ...lines,
    `  Sandbox:        tenant "${sandbox.tenantId}", WhatsApp channel ${id} (simulated Meta: nothing leaves this machine)`,
    `  API key:        ${sandbox.apiKey}   (${sandbox.isNew ? 'new; kept in' : 'from'} ${sandbox.keyFile})`,
    '',
    'Try it — paste these into another terminal:',
    '',
    ...sandboxWalkthrough(url, id, sandbox.apiKey).map((line) => (line === '' ? line : `  ${line}`)),
    '',
  ].join('\n')
}

/** The banner's facts for the log: where carewindow listens, its store and the sandbox — never the sandbox's key. */
export function startupFacts(server: RunningServer, version: string): Record<string, unknown> {
  const sandbox = server.sandbox
  return {
    url: server.url,
    store: server.store,
    version,
    sandbox:
      sandbox === null
        ? null
        : { tenant: sandbox.tenantId, channel: sandbox.channel.externalId, keyFile: sandbox.keyFile },
  }
}

/**
 * The sandbox walk-through, with the gateway's URL, the sandbox channel and its key filled in. The README's quick
 * start shows the same steps with `$KEY` (banner.test.ts keeps the two in step).
 */
export function sandboxWalkthrough(url: string, channelId: string, apiKey: string): string[] {
  const auth = `-H "Authorization: Bearer ${apiKey}"`
  const json = '-H "Content-Type: application/json"'
  const reply = `-d '{"messaging_product":"whatsapp","to":"31612345678","type":"text","text":{"body":"Hello!"}}'`
  return [
    "# 1. Reply to a customer who never wrote: refused with Graph's 131047, because no customer care window is open",
    `curl -s ${url}/v21.0/${channelId}/messages ${auth} \\`,
    `  ${json} \\`,
    `  ${reply}`,
    '',
    '# 2. The customer writes "Hi" (the sandbox plays Meta\'s signed webhook for you)',
    `curl -s ${url}/v1/sandbox/${channelId}/inbound ${auth} \\`,
    `  ${json} -d '{"from":"31612345678","text":"Hi"}'`,
    '',
    "# 3. The same reply is allowed now: Graph's answer (here the simulator's) comes back with a wamid",
    `curl -s -i ${url}/v21.0/${channelId}/messages ${auth} \\`,
    `  ${json} \\`,
    `  ${reply}`,
    '',
    '# 4. When does the window close? And why was that message allowed, and what did it cost?',
    `curl -s ${url}/v1/channels/${channelId}/contacts/31612345678/window ${auth}`,
    `curl -s ${url}/v1/messages/<x-carewindow-message-id> ${auth}`,
  ]
}
