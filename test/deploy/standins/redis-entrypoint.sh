#!/bin/sh
# As the official image: protected mode is off by default (the image builds Redis with it off; the
# container's network is the boundary), and redis-server runs as the redis user, the volume at
# /data made theirs. Arguments after redis-server are the command line, as given.
set -e
if [ "$1" = "redis-server" ]; then
  shift
  set -- redis-server --protected-mode no "$@"
  if [ "$(id -u)" = "0" ]; then
    chown -R redis:redis /data
    exec setpriv --reuid=redis --regid=redis --init-groups "$@"
  fi
fi
exec "$@"
