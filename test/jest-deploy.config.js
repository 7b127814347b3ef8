/** Deploy tier: the image and the compose stack in a private Docker engine (scripts/test-deploy.sh). */
module.exports = {
  rootDir: '..',
  roots: ['<rootDir>/test'],
  testRegex: '.*\\.docker-spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  moduleNameMapper: { '^src/(.*)$': '<rootDir>/src/$1' },
  testTimeout: 600000,
  maxWorkers: 1,
  forceExit: true,
};
