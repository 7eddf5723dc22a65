/**
 * The parent's handle on a server forked from http-server.ts: start it, ask it for counts or to drain its inbox,
 * read its CPU time, stop it. With `cpuProfileDir`, the child runs under `node --cpu-prof` and writes its
 * profile there when it stops.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ServerCommand, ServerMessage, ServerRequest, StoredCounts } from './http-server.js'

export interface BenchServer {
  readonly url: string
  stats(): Promise<StoredCounts>
  drain(): Promise<void>
  cpu(): Promise<NodeJS.CpuUsage>
  stop(): Promise<void>
}

const SERVER_SCRIPT = fileURLToPath(new URL('./http-server.js', import.meta.url))
const STOP_TIMEOUT_MS = 30_000

export async function startBenchServer(
  args: readonly string[],
  options: { readonly cpuProfileDir?: string | undefined } = {},
): Promise<BenchServer> {
  const child = fork(SERVER_SCRIPT, [...args], {
    execArgv:
      options.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>()
  let nextId = 0
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      for (const waiting of pending.values())
        waiting.reject(new Error(`the benchmark server exited with ${code ?? 'a signal'}`))
      pending.clear()
      resolve()
    }),
  )
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => {
      reject(new Error(`the benchmark server (${args.join(' ')}) exited with ${code ?? 'a signal'}`))
    })
    child.on('message', (message: ServerMessage) => {
      if (message.type === 'ready') {
        resolve(message.url)
        return
      }
      const waiting = pending.get(message.id)
      pending.delete(message.id)
      if (message.type === 'reply') waiting?.resolve(message.result)
      else waiting?.reject(new Error(`benchmark server: ${message.error}`))
    })
  })
  const ask = <T>(command: ServerCommand): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      child.send({ id, command } satisfies ServerRequest)
    })
  return {
    url,
    stats: () => ask<StoredCounts>('stats'),
    drain: () => ask<undefined>('drain'),
    cpu: () => ask<NodeJS.CpuUsage>('cpu'),
    async stop() {
      await ask<undefined>('stop')
      await exitOrKill(child, exited)
    },
  }
}

async function exitOrKill(child: ChildProcess, exited: Promise<void>): Promise<void> {
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
  await exited
  clearTimeout(timer)
}
