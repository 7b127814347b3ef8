/** Unit tier: specs next to the code, no Redis. */
module.exports = {
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/bench'],
  testRegex: '.*\\.spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  moduleNameMapper: { '^src/(.*)$': '<rootDir>/src/$1' },
  testEnvironment: 'node',
};
