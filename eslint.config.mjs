import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// Import rules inside src/. In flat config a later block's `no-restricted-imports` replaces an
// earlier one for the files both match, so the blocks below cover disjoint sets of files and each
// lists every pattern its files need, composed from these.
const RELATIVE_INSIDE_SRC = {
  regex: '^src/',
  message: 'Inside src, import relatively (dist/ has no path mapping).',
};
const TRANSLATION_SURFACE_ONLY = {
  regex: '^(\\.\\./)+translation/',
  message: "Import the translation role's public surface: '../translation' (src/translation/index.ts).",
};
const NO_CLIENT_FROM_SERVER = {
  regex: '^(\\./|(\\.\\./)+)client(/|$)',
  message: 'Server code does not import src/client (the CLI and web app); shared audio code is src/audio.',
};
const AUDIO_SELF_CONTAINED = {
  regex: '^(?!\\./)',
  message:
    'src/audio runs in the browser too: it imports only its own files (./...), no node: modules, packages or other folders.',
};
const CONTRACTS_SELF_CONTAINED = {
  regex: '^(?!\\./|\\.\\./audio/|zod$)',
  message: 'src/contracts imports only its own files, src/audio (../audio/...) and zod.',
};
const NODE_GLOBALS_IN_AUDIO = ['Buffer', 'process', 'require', '__dirname', '__filename', 'global'].map(
  (name) => ({ name, message: 'src/audio runs in the browser too: typed arrays, no Node globals.' }),
);

const restrictImports = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

const SRC = 'src/**/*.ts';
const SPECS = 'src/**/*.spec.ts';
/** The translation role and the start-up that wires it import src/translation's internals. */
const TRANSLATION_INSIDERS = ['src/translation/**', 'src/main.ts', 'src/app.module.ts'];
const CLIENT = 'src/client/**';
const AUDIO = 'src/audio/**';
const CONTRACTS = 'src/contracts/**';

// Every file of src/ falls in exactly one of these blocks.
const srcImportBlocks = [
  {
    files: [SRC],
    ignores: [...TRANSLATION_INSIDERS, CLIENT, AUDIO, CONTRACTS],
    rules: restrictImports(RELATIVE_INSIDE_SRC, TRANSLATION_SURFACE_ONLY, NO_CLIENT_FROM_SERVER),
  },
  {
    files: TRANSLATION_INSIDERS,
    rules: restrictImports(RELATIVE_INSIDE_SRC, NO_CLIENT_FROM_SERVER),
  },
  {
    files: [CLIENT],
    rules: restrictImports(RELATIVE_INSIDE_SRC, TRANSLATION_SURFACE_ONLY),
  },
  {
    // Specs run in Node and read fixtures: they are held to the server's rules instead.
    files: [`${AUDIO}/*.spec.ts`, `${CONTRACTS}/*.spec.ts`],
    rules: restrictImports(RELATIVE_INSIDE_SRC, TRANSLATION_SURFACE_ONLY, NO_CLIENT_FROM_SERVER),
  },
  {
    files: [AUDIO],
    ignores: [SPECS],
    rules: {
      ...restrictImports(AUDIO_SELF_CONTAINED),
      'no-restricted-globals': ['error', ...NODE_GLOBALS_IN_AUDIO],
    },
  },
  {
    files: [CONTRACTS],
    ignores: [SPECS],
    rules: restrictImports(CONTRACTS_SELF_CONTAINED),
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'public/**', 'eslint.config.mjs', 'jest.config.js', 'test/jest-e2e.config.js', 'test/jest-integration.config.js'] },
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
      eqeqeq: ['error', 'always'],
      // Types-only imports say so (and vanish from the emitted code). In files with decorators the
      // rule stays silent: Nest reads constructor parameter types at run time.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // A switch over a union handles every member, or says with a default that it means to.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through AppConfig (src/common/config).' },
      ],
    },
  },
  {
    // Production code is linted with the config that builds it (noUncheckedIndexedAccess is on
    // there and off for tests), so the assertions that flag needs are not "unnecessary" here.
    files: [SRC],
    ignores: [SPECS],
    languageOptions: {
      parserOptions: {
        projectService: false,
        project: './tsconfig.build.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  ...srcImportBlocks,
  {
    // A file past this wants splitting (the variable table is one list by design).
    files: ['src/**/*.ts'],
    ignores: [SPECS, 'src/common/config/env-schema.ts'],
    rules: { 'max-lines': ['warn', { max: 450, skipBlankLines: true, skipComments: true }] },
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
