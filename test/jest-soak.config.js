/** Soak tier (npm run test:soak, not in CI): long runs of real processes, printing a report. */
const e2e = require('./jest-e2e.config');

module.exports = { ...e2e, testRegex: '.*\\.soak-spec\\.ts$', testTimeout: 3_600_000 };
