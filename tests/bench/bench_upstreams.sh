# shellcheck shell=bash disable=SC2034,SC2153  # variables shared with scripts/bench
# The upstreams of scripts/bench (plain HTTP, HTTPS, HTTP/2) and the gateway in front of
# them. Sourced by scripts/bench, in its scope: it uses its settings ($WORK, $SIM,
# $GATEWAY, $NGHTTPX, H2_STREAMS, H2_PREWARM, SIM_OTP_TTL_MS) and helpers (start,
# stop_pid, log, die, calc).

# A CA and a certificate for localhost and 127.0.0.1 signed by it (openssl CLI), for
# eko-sim's HTTPS and nghttpx; the gateway and the floor trust only that CA.
PKI="$WORK/pki"
make_pki() {
  mkdir -p "$PKI"
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$PKI/server.ext"
  local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  (
    cd "$PKI"
    openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 2 -subj /CN=eko-bench-ca \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
    openssl req -new "${ec[@]}" -keyout server.key -out server.csr -subj /CN=localhost
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 1 -days 2 \
      -out server.pem -extfile server.ext
  ) >"$WORK/openssl.log" 2>&1 || { cat "$WORK/openssl.log" >&2; die "openssl could not make the certificates"; }
}

start_sim() {  # LATENCY_MS [eko-sim flags]
  local latency="$1"
  shift
  start sim "eko-sim listening on " "$SIM" --listen=127.0.0.1:0 --latency-ms="$latency" \
    --fixed-otp=123456 --otp-ttl-ms="$SIM_OTP_TTL_MS" "$@"
  SIM_PID=$STARTED_PID
  SIM_URL=$STARTED_REST
}

# start_proxy BACKEND_PORT: nghttpx, TLS with ALPN h2 (and http/1.1) on a free port, in
# front of eko-sim's plain HTTP/1.1. Sets PROXY_PID and PROXY_PORT.
start_proxy() {
  local port attempt
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    [ -z "$(ss -Hltn "sport = :$port" 2>/dev/null)" ] || continue
    : >"$WORK/proxy.err"
    "$NGHTTPX" --conf=/dev/null --frontend="127.0.0.1,$port" --backend="127.0.0.1,$1" \
      --workers=1 --no-ocsp --frontend-http2-max-concurrent-streams="$H2_STREAMS" \
      "$PKI/server.key" "$PKI/server.pem" >"$WORK/proxy.out" 2>>"$WORK/proxy.err" &
    PROXY_PID=$!
    STARTED_PIDS+=("$PROXY_PID")
    for _ in $(seq 100); do
      kill -0 "$PROXY_PID" 2>/dev/null || break
      if [ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]; then
        PROXY_PORT=$port
        return 0
      fi
      sleep 0.05
    done
    stop_pid "$PROXY_PID"
    log "nghttpx did not start on port $port (attempt $attempt): $(tail -2 "$WORK/proxy.err")"
  done
  die "nghttpx did not start"
}

# start_upstream TRANSPORT LATENCY_MS: eko-sim (and for h2 nghttpx) for that transport.
# Sets UPSTREAM_URL, the flags the gateway and the curl floor need for it
# (GATEWAY_TRANSPORT_FLAGS, CURL_TRANSPORT_FLAGS) and the --pid flags watching it.
start_upstream() {
  local transport="$1" latency="$2"
  PROXY_PID=""
  case "$transport" in
    http)
      start_sim "$latency"
      UPSTREAM_URL=$SIM_URL
      GATEWAY_TRANSPORT_FLAGS=()
      CURL_TRANSPORT_FLAGS=()
      ;;
    https)
      start_sim "$latency" --tls-cert-file="$PKI/server.pem" --tls-key-file="$PKI/server.key"
      UPSTREAM_URL=$SIM_URL
      GATEWAY_TRANSPORT_FLAGS=(--eko-ca-file="$PKI/ca.pem" --eko-http2=off)
      CURL_TRANSPORT_FLAGS=(--ca-file="$PKI/ca.pem")
      ;;
    h2)
      start_sim "$latency"
      local sim_port="${SIM_URL#http://127.0.0.1:}"
      start_proxy "${sim_port%%/*}"
      UPSTREAM_URL="https://127.0.0.1:$PROXY_PORT/${sim_port#*/}"
      GATEWAY_TRANSPORT_FLAGS=(--eko-ca-file="$PKI/ca.pem" --eko-http2=auto
        --eko-http2-max-streams="$H2_STREAMS" --eko-prewarm-connections="$H2_PREWARM")
      CURL_TRANSPORT_FLAGS=(--ca-file="$PKI/ca.pem" --http2 --http2-max-streams="$H2_STREAMS")
      ;;
  esac
  UPSTREAM_PORT="${UPSTREAM_URL#*://*:}"
  UPSTREAM_PORT="${UPSTREAM_PORT%%/*}"
  UPSTREAM_WATCH=(--pid=sim="$SIM_PID")
  if [ -n "$PROXY_PID" ]; then
    # nghttpx serves from a worker process, a child of the one started.
    local worker=""
    for _ in $(seq 50); do
      worker="$(pgrep -P "$PROXY_PID" | head -1 || true)"
      [ -n "$worker" ] && break
      sleep 0.05
    done
    [ -n "$worker" ] || die "nghttpx has no worker process"
    UPSTREAM_WATCH+=(--pid=proxy="$worker")
  fi
}
stop_upstream() { stop_pid ${PROXY_PID:+"$PROXY_PID"} "$SIM_PID"; }

start_gateway() {  # [extra gateway flags]
  start gateway "eko-gateway listening on port " "$GATEWAY" --listen=127.0.0.1:0 \
    --metrics-listen=127.0.0.1:0 --eko-base-url="$UPSTREAM_URL" \
    --eko-developer-key=sim-developer-key --eko-access-key=sim-access-key \
    --eko-initiator-id=9962981729 --eko-user-code=20810200 \
    "${GATEWAY_TRANSPORT_FLAGS[@]+"${GATEWAY_TRANSPORT_FLAGS[@]}"}" "$@"
  GATEWAY_PID=$STARTED_PID
  GATEWAY_ADDR="127.0.0.1:$STARTED_REST"
  METRICS_URL="http://127.0.0.1:$(sed -n 's/^eko-gateway metrics on port //p' "$WORK/gateway.out")/metrics"
}

# Connection and TLS counters of the gateway's metrics endpoint, as key=value lines.
scrape_connections() {
  curl -fsS --max-time 5 "$METRICS_URL" | awk '
    /^eko_upstream_tls_handshakes_total\{session="full"\}/ { print "tls_full=" $2 }
    /^eko_upstream_tls_handshakes_total\{session="resumed"\}/ { print "tls_resumed=" $2 }
    /^eko_upstream_connections_opened_total\{protocol="http\/2"\}/ { print "opened_h2=" $2 }
    /^eko_upstream_connections_opened_total\{protocol="http\/1.1"\}/ { print "opened_h1=" $2 }
    /^eko_upstream_connections_opened_total\{protocol="unknown"\}/ { print "opened_unknown=" $2 }'
}
# The gateway's TCP connections to the upstream established now (the gateway is its only
# client while a gateway run is measured).
upstream_connections_open() { ss -Htn state established "( dport = :$UPSTREAM_PORT )" | wc -l; }
# counter FILE KEY: a scraped counter ("0" when absent).
counter() { local v; v="$(sed -n "s/^$2=//p" "$1")"; echo "${v:-0}"; }

