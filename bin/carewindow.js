#!/usr/bin/env node
// The published entry point: runs the compiled CLI (built by `npm run build`, which `npm install` runs).
import { runCli } from '../dist/cli/main.js'

process.exitCode = await runCli(process.argv)
