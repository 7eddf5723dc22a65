import { runCli } from './main.js'

// A reader that goes away (`carewindow rules | head -1`) is no failure of the command: what it would still print has
// nobody to read it. Node reports the closed pipe as an 'error' event on the stream, which unhandled ends the
// process with a stack trace; ignored, the remaining writes are dropped and the command ends as it would have.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
  })

process.exitCode = await runCli(process.argv)
