import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/** How often the checkpointer copies the WAL into the database file. */
const CHECKPOINT_INTERVAL_MS = 250

/**
 * Left to the writing connection, SQLite checkpoints inside the commit that takes the WAL past 1,000 pages: copying
 * the pages and syncing the database file then happens on the event loop, in the middle of a webhook ingest (half
 * the commit time under load). A worker thread with a connection of its own runs passive checkpoints instead —
 * they never block a writer or a reader, and a committed transaction is durable in the WAL whether or not it has
 * been copied yet. The writing connection keeps a much larger automatic threshold of its own, so the WAL stays
 * bounded even if the worker falls behind or stops.
 */
export const WRITER_AUTOCHECKPOINT_PAGES = 20_000

// An inline worker (CommonJS), so that it runs the same from the TypeScript sources (tests) and from dist/.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads')
const Database = require(workerData.driver)
const database = new Database(workerData.path)
database.pragma('busy_timeout = 5000')
const checkpoint = () => {
  try {
    database.pragma('wal_checkpoint(PASSIVE)')
  } catch {
    // Busy or briefly locked: the next tick tries again, and the writer's own threshold is the backstop.
  }
}
const timer = setInterval(checkpoint, workerData.intervalMs)
parentPort.on('message', () => {
  clearInterval(timer)
  checkpoint()
  database.close()
  parentPort.close()
})
`

export interface SqliteCheckpointer {
  stop(): Promise<void>
}

/** Starts background checkpoints of the database file at `path` (in WAL mode). */
export function startSqliteCheckpointer(path: string): SqliteCheckpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      path,
      intervalMs: CHECKPOINT_INTERVAL_MS,
    },
  })
  worker.unref()
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', () => {
      resolve()
    })
  })
  // A failure to start (a missing file, say) only costs the optimisation: the writer still checkpoints itself.
  worker.on('error', () => undefined)
  return {
    async stop() {
      // Unreferenced while it runs, so it never keeps a process alive; referenced while it stops, or a process
      // whose only remaining work is this wait would exit before the wait is over.
      worker.ref()
      worker.postMessage('stop')
      await exited
    },
  }
}
