// @ts-check
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import tseslint from 'typescript-eslint'

/** Modules that perform I/O or read ambient state; the policy core must not touch them. */
const IO_MODULES = [
  'fs',
  'fs/promises',
  'http',
  'https',
  'http2',
  'net',
  'tls',
  'dgram',
  'dns',
  'child_process',
  'cluster',
  'worker_threads',
  'os',
  'process',
  'readline',
  'stream',
  'timers',
  'timers/promises',
]

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-bench/**',
      'coverage/**',
      'node_modules/**',
      'data/**',
      'web/dist/**',
      'packages/*/dist/**',
      '.dependency-cruiser.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // The policy core is pure: no I/O, no clock, no environment, no imports from the outer layers.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: IO_MODULES.flatMap((name) => [
            { name, message: 'src/domain is pure: do I/O in an adapter and pass the result in.' },
            {
              name: `node:${name}`,
              message: 'src/domain is pure: do I/O in an adapter and pass the result in.',
            },
          ]),
          patterns: [
            {
              group: [
                '**/store/**',
                '**/http/**',
                '**/channels/**',
                '**/scheduler/**',
                '**/cli/**',
                '**/config*',
                '**/main*',
              ],
              message: 'src/domain may not import from the outer layers; dependencies point inward.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'src/domain reads no environment: take settings as a parameter.' },
        { name: 'fetch', message: 'src/domain performs no I/O.' },
        { name: 'setTimeout', message: 'src/domain has no timers: take the instant as a parameter.' },
        { name: 'setInterval', message: 'src/domain has no timers: take the instant as a parameter.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'src/domain has no clock: take the instant as a parameter.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'src/domain has no clock: take the instant as a parameter.',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'src/domain is deterministic: take ids or randomness as a parameter.',
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  prettier,
)
