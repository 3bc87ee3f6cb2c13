#!/bin/sh
# Starts the project's Kamailio for a demo or by hand, in the foreground of a background process.
#   resources/kamailio/start.sh [RUN_DIR]
# Environment (defaults in brackets):
#   HUB_URL [http://127.0.0.1:7700]  the hub that hands out HA1s and routes queue calls
#   HUB_KEY                          the hub's telephony key (hub --telephony-key / CONCIERGE_TELEPHONY_KEY)
#   SIP_DOMAIN [concierge.local]  WS_PORT [8088]  SIP_PORT [5060]  EVAPI [127.0.0.1:8448]
#   SHM_MB [256]  LOG_LEVEL [2]
# Writes RUN_DIR/kamailio.pid (main process) and RUN_DIR/kamailio.log. Stop: kill "$(cat RUN_DIR/kamailio.pid)".
set -eu
here=$(cd "$(dirname "$0")" && pwd)
run_dir=${1:-${RUN_DIR:-$PWD/.data/kamailio}}
: "${HUB_KEY:?set HUB_KEY to the hub's telephony key}"
mkdir -p "$run_dir"
run_dir=$(cd "$run_dir" && pwd)
case "$HUB_KEY$run_dir${HUB_URL:-}" in *'!'*) echo 'values must not contain "!"' >&2; exit 2;; esac
cp "$here/kamailio.cfg" "$run_dir/kamailio.cfg"
cat > "$run_dir/concierge-local.cfg" <<CFG
#!substdef "!MY_IP!${MY_IP:-127.0.0.1}!g"
#!substdef "!MY_DOMAIN!${SIP_DOMAIN:-concierge.local}!g"
#!substdef "!SIP_PORT!${SIP_PORT:-5060}!g"
#!substdef "!WS_PORT!${WS_PORT:-8088}!g"
#!substdef "!EVAPI_ADDR!${EVAPI:-127.0.0.1:8448}!g"
#!substdef "!HUB_URL!${HUB_URL:-http://127.0.0.1:7700}!g"
#!substdef "!HUB_KEY!${HUB_KEY}!g"
#!substdef "!RUN_DIR!${run_dir}!g"
#!substdef "!LOG_LEVEL!${LOG_LEVEL:-2}!g"
CFG
chmod 600 "$run_dir/concierge-local.cfg"
kamailio -c -f "$run_dir/kamailio.cfg" >/dev/null 2>&1 || { kamailio -c -f "$run_dir/kamailio.cfg"; exit 1; }
kamailio -f "$run_dir/kamailio.cfg" -m "${SHM_MB:-256}" -M 16 -DD -E -P "$run_dir/kamailio.pid" >>"$run_dir/kamailio.log" 2>&1 &
echo "kamailio started (pid $!), ws://${MY_IP:-127.0.0.1}:${WS_PORT:-8088}, log $run_dir/kamailio.log"
