import { connect, createServer, type Server, type Socket } from 'node:net'
import { listenLocally } from './local-server.js'

/**
 * A TCP proxy on a free port of 127.0.0.1 in front of a real server (PostgreSQL): `cut()` closes it — every
 * connection through it is dropped and new ones are refused, as when the database host goes away — and `restore()`
 * opens it again on the same port.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>()
  private server: Server | null = null
  /** The port to connect to instead of the target's. */
  port = 0

  private constructor(private readonly target: { readonly host: string; readonly port: number }) {}

  static async start(target: { readonly host: string; readonly port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target)
    proxy.server = proxy.forwarding()
    proxy.port = await listenLocally(proxy.server)
    return proxy
  }

  /** `url` with its host and port replaced by the proxy's. */
  through(url: string): string {
    const parsed = new URL(url)
    parsed.hostname = '127.0.0.1'
    parsed.port = String(this.port)
    return parsed.toString()
  }

  /** Drops every connection and refuses new ones. */
  async cut(): Promise<void> {
    const server = this.server
    this.server = null
    for (const socket of this.sockets) socket.destroy()
    this.sockets.clear()
    if (server !== null)
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
      })
  }

  /** Accepts connections again, on the same port. */
  async restore(): Promise<void> {
    if (this.server !== null) return
    const server = this.forwarding()
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, '127.0.0.1', resolve)
    })
    this.server = server
  }

  close(): Promise<void> {
    return this.cut()
  }

  private forwarding(): Server {
    return createServer((client) => {
      const upstream = connect(this.target.port, this.target.host)
      for (const socket of [client, upstream]) {
        this.sockets.add(socket)
        socket.on('close', () => this.sockets.delete(socket))
        socket.on('error', () => {
          client.destroy()
          upstream.destroy()
        })
      }
      client.pipe(upstream)
      upstream.pipe(client)
    })
  }
}
