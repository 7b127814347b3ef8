/**
 * e2e tier: the built service's processes (dist/), the CLI, browsers and Xvfb, fault injection
 * (killed and stopped processes, Redis outages) and timing under load, against the private Redis
 * and PostgreSQL of test/helpers/e2e-services.ts: one file at a time. The in-process suites are
 * the integration tier (jest-integration.config.js, two workers).
 */
module.exports = {
  rootDir: '..',
  roots: ['<rootDir>/test'],
  testRegex: '.*\\.e2e-spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  moduleNameMapper: { '^src/(.*)$': '<rootDir>/src/$1' },
  // Host typed arrays in the sandbox, for onnxruntime-node (see the file).
  testEnvironment: '<rootDir>/test/helpers/node-realm.environment.js',
  globalSetup: '<rootDir>/test/helpers/e2e-global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/e2e-global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 1,
  // fetch keeps idle sockets alive for a few seconds after the last test.
  forceExit: true,
};
