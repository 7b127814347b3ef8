/**
 * Integration tier: the *.int-spec.ts files under test/, in the jest process only (in-process Nest apps, engines,
 * doubles) against the private Redis and PostgreSQL of test/helpers/e2e-services.ts. No child
 * process of the service, no browser, no fault injection, no timing under load: so two workers
 * share the one Redis and PostgreSQL (each test its own key prefix, SQLite file or schema).
 */
const e2e = require('./jest-e2e.config');

module.exports = { ...e2e, testRegex: '.*\\.int-spec\\.ts$', maxWorkers: 2 };
