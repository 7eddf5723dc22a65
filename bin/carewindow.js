#!/usr/bin/env node
// The installed command: the compiled CLI (`npm install` builds it through the `prepare` script).
await import('../dist/cli/bin.js')
