// ESLint for the TypeScript (docs/dependencies.md, "Development tools"): typescript-eslint's
// type-checked recommended rules, which catch what a daemon cannot afford — a promise nobody awaits,
// a promise where a callback is expected, an `any` leaking into a decision.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'native/build/', 'native/build-valgrind/', 'pam/build/', 'fuzz/build/', 'fuzz/corpus/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { globals: globals.node, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // House style: an API that returns a promise is async even when one path has nothing to await.
      '@typescript-eslint/require-await': 'off',
      // Control characters in patterns are the point where logs and names are escaped.
      'no-control-regex': 'off',
      // `const { dropped, ...rest } = value` is how a field is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    // Tests: vitest's asymmetric matchers (expect.any, expect.stringMatching) are typed `any`, and a
    // JSON.parse of a command's output is read field by field; a helper passed as `random.below` has
    // no `this` to lose.
    files: ['test/**/*.ts', 'fuzz/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
