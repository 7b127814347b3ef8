// Container HEALTHCHECK: exit 0 when this container's /health/live answers 200, else 1.
// Plain Node (the image has no curl). The port is HEALTH_PORT, or the default of a single ROLE
// (gateway 8080, stt 8081, translation 8082; several roles or "all" use 8080), as the service does.
'use strict';
const http = require('node:http');

const DEFAULT_PORTS = { gateway: 8080, stt: 8081, translation: 8082 };

function healthPort(env) {
  if (env.HEALTH_PORT && env.HEALTH_PORT.trim() !== '') return Number(env.HEALTH_PORT.trim());
  const roles = (env.ROLE || 'all').split(',').map((role) => role.trim());
  return roles.length === 1 && DEFAULT_PORTS[roles[0]] ? DEFAULT_PORTS[roles[0]] : 8080;
}

const port = healthPort(process.env);
const request = http.get(
  { host: '127.0.0.1', port, path: '/health/live', timeout: 3000 },
  (response) => {
    response.resume();
    process.exit(response.statusCode === 200 ? 0 : 1);
  },
);
request.on('timeout', () => request.destroy(new Error('timed out')));
request.on('error', (error) => {
  process.stderr.write(`healthcheck: 127.0.0.1:${port}/health/live: ${error.message}\n`);
  process.exit(1);
});
