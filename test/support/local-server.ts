import { createServer, type Server } from 'node:net'

/** Starts `server` on a free port of 127.0.0.1 and resolves with that port. */
export async function listenLocally(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the server got no TCP port')
  return address.port
}

/** A port nothing listens on right now (for a server another process or library starts). */
export async function freePort(): Promise<number> {
  const probe = createServer()
  const port = await listenLocally(probe)
  await new Promise<void>((resolve) => {
    probe.close(() => {
      resolve()
    })
  })
  return port
}
