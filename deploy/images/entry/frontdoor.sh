#!/bin/sh
# The front door: nginx routing only the public paths (REST and WeChat webhooks, the widget's files,
# /socket.io/ sticky by client address) to the Rasa pods, everything else 404 (nginx.conf from the
# ConfigMap). Kubernetes changes the set of Rasa pods (a crash, a rollout, the autoscaler); this
# nginx has no dynamic upstreams, so every 2 s the pods behind the headless Service
# ($RASA_PODS, only ready pods are listed) are looked up again and nginx reloads when they changed.
set -eu
: "${RASA_PODS:?}" "${RASA_PORT:=5005}"
up=/etc/nginx/rasa-upstreams.conf
servers() {
  ips=$(getent ahostsv4 "$RASA_PODS" 2>/dev/null | awk '{print $1}' | sort -u)
  [ -n "$ips" ] || ips=127.0.0.1   # none ready yet: every request gets 502 until one is
  for ip in $ips; do printf '    server %s:%s max_fails=1 fail_timeout=5s;\n' "$ip" "$RASA_PORT"; done
}
write() {
  s=$(servers)
  printf 'upstream rasa {\n%s\n}\nupstream rasa_sticky {\n    hash $remote_addr consistent;\n%s\n}\n' "$s" "$s" > "$up.new"
  if cmp -s "$up.new" "$up"; then rm -f "$up.new"; return 1; fi
  mv "$up.new" "$up"
}
write || true
nginx -c /etc/nginx/front/nginx.conf -g 'daemon off;' &
nginx_pid=$!
trap 'kill -QUIT $nginx_pid 2>/dev/null; wait $nginx_pid; exit 0' TERM INT
while kill -0 "$nginx_pid" 2>/dev/null; do
  sleep 2
  if write; then nginx -c /etc/nginx/front/nginx.conf -s reload; fi
done
wait "$nginx_pid"
