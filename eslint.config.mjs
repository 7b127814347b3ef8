import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'public/**', 'eslint.config.mjs', 'jest.config.js', 'test/jest-e2e.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/unbound-method': 'off',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through AppConfig (src/common/config).' },
      ],
    },
  },
  {
    // Inside src, imports are relative: dist/ runs without a path resolver, so `src/...` (the
    // style of test/ and bench/) would not load there.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^src/', message: 'Inside src, import relatively (dist/ has no path mapping).' }] },
      ],
    },
  },
  {
    // The translation role's public surface is src/translation/index.ts.
    files: ['src/**/*.ts'],
    ignores: ['src/translation/**', 'src/main.ts', 'src/app.module.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^src/', message: 'Inside src, import relatively (dist/ has no path mapping).' },
            {
              regex: '^(\\.\\./)+translation/',
              message: "Import the translation role's public surface: '../translation' (src/translation/index.ts).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/common/config/load-config.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'src/**/*.spec.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['test/**/*.ts', 'src/**/*.spec.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
