#!/bin/sh
# As the official image: redis-server runs as the redis user (the volume at /data is made theirs).
set -e
if [ "$1" = "redis-server" ] && [ "$(id -u)" = "0" ]; then
  chown -R redis:redis /data
  exec setpriv --reuid=redis --regid=redis --init-groups "$@"
fi
exec "$@"
