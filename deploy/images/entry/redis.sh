#!/bin/sh
# Redis for Rasa's conversation locks: memory only (a lock outlives no restart), a password from
# the Secret, run as the redis user.
set -eu
: "${REDIS_PASSWORD:?}"
conf=$(mktemp)
printf 'port 6379\nbind 0.0.0.0\nprotected-mode yes\nsave ""\nappendonly no\nrequirepass %s\n' "$REDIS_PASSWORD" > "$conf"
chown redis "$conf" && chmod 600 "$conf"
exec runuser -u redis -- redis-server "$conf"
