/**
 * The architecture's rule: no cycles between the top-level folders of src/. Each folder is a layer that imports only
 * the layers below it (docs/architecture.md); a cycle through any of them fails `npm run check` (`npm run lint:deps`).
 */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      comment:
        'A top-level folder of src/ must not depend, through any path, on a folder that depends on it: move what both need to the lower one (shared/ holds the basics every layer may use).',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/[^/]+/?$' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$|/testing/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
}
