// ESLint flat config: rules that catch defects, not taste (Prettier owns the layout, see .prettierrc.json).
// Type-aware rules run through the TypeScript project service on tsconfig.json, so `npm run lint`
// type-checks each file once; the rules that need types are the ones listed under "with types".
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'runs/',
      'scratch/',
      'test-artifacts/',
      'data/',
      'models/',
      'public/',
      '.kit/',
      '.gl/',
      'out/',
      // AssemblyScript (f32, v128, @inline), compiled by scripts/build-wasm.mjs into kernels-wasm.ts, itself generated.
      'src/engine/cpu/assembly/',
      'src/engine/cpu/kernels-wasm.ts',
    ],
  },
  {
    files: ['**/*.{ts,mts}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: {
        // Config files outside tsconfig.json's include get a default project.
        projectService: { allowDefaultProject: ['vite.lib.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.browser, ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // With types: promises that nobody awaits lose their errors; a promise in an `if` is always true.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // Without types.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': ['error', { destructuring: 'all' }],
      // Literals only: the type-aware only-throw-error flags every rethrow of a caught value narrowed to `{}`.
      'no-throw-literal': 'error',
      'no-self-compare': 'error',
      'no-template-curly-in-string': 'error',
      'no-unmodified-loop-condition': 'error',
      'no-constant-binary-expression': 'error',
      // Comma expressions are used on purpose in counters and short arrow bodies.
      'no-sequences': 'off',
    },
  },
  {
    files: ['**/*.{js,mjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
);
