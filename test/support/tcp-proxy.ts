import { createConnection, createServer, type Server, type Socket } from 'node:net'

/**
 * A TCP proxy in front of a server (PostgreSQL, here), which a test can cut — every open connection is dropped and
 * new ones are refused, as when the database's host goes away — and restore on the same port. What goes through
 * is passed on byte for byte.
 */
export class TcpProxy {
  private server: Server | null = null
  private readonly sockets = new Set<Socket>()

  private constructor(
    private readonly target: { readonly host: string; readonly port: number },
    /** The port it listens on, on 127.0.0.1. */
    readonly port: number,
  ) {}

  static async start(target: { readonly host: string; readonly port: number }): Promise<TcpProxy> {
    const probe = createServer()
    const port = await new Promise<number>((resolve, reject) => {
      probe.once('error', reject)
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address()
        resolve(typeof address === 'object' && address !== null ? address.port : 0)
      })
    })
    await new Promise((resolve) => probe.close(resolve))
    const proxy = new TcpProxy(target, port)
    await proxy.restore()
    return proxy
  }

  /** `url` with its host and port replaced by the proxy's. */
  through(url: string): string {
    const parsed = new URL(url)
    parsed.hostname = '127.0.0.1'
    parsed.port = String(this.port)
    return parsed.toString()
  }

  /** Drops every connection and refuses new ones until {@link restore}. */
  async cut(): Promise<void> {
    const server = this.server
    this.server = null
    for (const socket of this.sockets) socket.destroy()
    this.sockets.clear()
    if (server !== null) await new Promise((resolve) => server.close(resolve))
  }

  /** Listens again, on the same port. */
  async restore(): Promise<void> {
    if (this.server !== null) return
    const server = createServer((client) => {
      const upstream = createConnection(this.target)
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
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.port, '127.0.0.1', () => {
        resolve()
      })
    })
    this.server = server
  }

  close(): Promise<void> {
    return this.cut()
  }
}
