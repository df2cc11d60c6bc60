# shellcheck shell=bash
# The results of scripts/bench: the summary (targets, then each transport's tables) and
# docs/benchmarks.md. Sourced by scripts/bench after every run, in its scope: it uses its
# settings (TRANSPORTS, transport_scale, B_CONCURRENCY, C_LATENCY_MS, ...) and helpers
# (kv, calc, verdict, errors_of) and the runs' reports in $WORK.

# f DECIMALS RUN KEY: a run's value, rounded.
f() { calc "$(kv "$2" "$3")" "$1"; }
has_run() { [ -f "$WORK/$1.kv" ]; }
has_key() { grep -q "^$2=" "$WORK/$1.kv" 2>/dev/null; }
# section LEVEL TITLE COLUMN...: a heading, then the header of a Markdown table.
section() {
  printf '%s %s\n\n' "$1" "$2"
  shift 2
  printf '| %s ' "$@" && echo '|'
  printf '| --- %.0s' "$@" && echo '|'
}

# cpu_all RUN: CPU µs per call of every process of the call's path (gateway, eko-sim,
# nghttpx if any, the load generator).
cpu_all() {
  local sum="0" p
  for p in gateway sim proxy client; do
    if has_key "$1" "proc.$p.cpu_us_per_call"; then sum="$sum + $(kv "$1" "proc.$p.cpu_us_per_call")"; fi
  done
  calc "$sum"
}
# cpu_limit RUN: calls/s at which those processes would keep every CPU busy.
cpu_limit() { local all; all="$(cpu_all "$1")"; calc "$(nproc) * 1000000 / ($all > 0 ? $all : 1)" 0; }
little_limit() { calc "$1 * 1000 / $C_LATENCY_MS" 0; }  # C: C/L in calls/s
rss_growth_kib() {  # RUN IN_FLIGHT [PROCESS]
  local p="${3:-gateway}"
  calc "($(kv "$1" "proc.$p.rss_max_kib") - $(kv "$1" "proc.$p.rss_start_kib")) / $2"
}
# handshakes_per_1000 RUN: TLS handshakes the gateway made in the window per 1,000 calls.
handshakes_per_1000() {
  calc "($(kv "$1" conn.window.tls_full) + $(kv "$1" conn.window.tls_resumed)) * 1000 / ($(kv "$1" completed) > 0 ? $(kv "$1" completed) : 1)" 2
}
connections_opened() {  # RUN WHICH (total|window): every protocol
  calc "$(kv "$1" "conn.$2.opened_h2") + $(kv "$1" "conn.$2.opened_h1") + $(kv "$1" "conn.$2.opened_unknown")" 0
}

# --- the targets table: the issue's rows, one column per transport -------------------------
# Each target_* TRANSPORT prints "VALUE|VERDICT" (VERDICT met, missed, or – for not
# measured or not applicable).
target_a() {
  local t="$1"
  if ! { has_run "$t.A_gateway" && has_run "$t.A_echo" && has_run "$t.A_upstream"; }; then echo "not run|–"; return; fi
  local g e u r
  g="$(f 1 "$t.A_gateway" lat_p50_us)"; e="$(f 1 "$t.A_echo" lat_p50_us)"; u="$(f 1 "$t.A_upstream" lat_p50_us)"
  r="$(calc "$g / ($e + $u)" 2)"
  echo "$r ($g ÷ ($e + $u) µs)|$(verdict "$r <= 1.15")"
}
target_b() {
  local t="$1"
  if ! { has_run "$t.B_gateway" && has_run "$t.B_echo" && has_run "$t.B_upstream"; }; then echo "not run|–"; return; fi
  local g e u r v
  g="$(f 1 "$t.B_gateway" proc.gateway.cpu_us_per_call)"; e="$(f 1 "$t.B_echo" proc.echo.cpu_us_per_call)"
  u="$(f 1 "$t.B_upstream" proc.client.cpu_us_per_call)"
  r="$(calc "$g / ($e + $u > 0 ? $e + $u : 1)" 2)"
  v="$(verdict "$r <= 1.5")"
  if [ "$t" = h2 ]; then v="– (no goal for HTTP/2)"; fi
  echo "$r ($g ÷ ($e + $u) µs)|$v"
}
target_c_cpu() {
  transport_scale "$1"
  local low="${C_LEVELS[0]}" high="${C_LEVELS[${#C_LEVELS[@]}-1]}"
  if ! { [ "$low" != "$high" ] && has_run "$1.C_$low" && has_run "$1.C_$high"; }; then echo "not run|–"; return; fi
  local a b r
  a="$(f 1 "$1.C_$high" proc.gateway.cpu_us_per_call)"; b="$(f 1 "$1.C_$low" proc.gateway.cpu_us_per_call)"
  r="$(calc "$a / ($b > 0 ? $b : 1)" 2)"
  echo "$r ($a ÷ $b µs, $high ÷ $low in flight)|$(verdict "$r <= 1.2")"
}
target_c_memory() {
  transport_scale "$1"
  local high="${C_LEVELS[${#C_LEVELS[@]}-1]}" g goal protocol=HTTP/1.1
  has_run "$1.C_$high" || { echo "not run|–"; return; }
  g="$(rss_growth_kib "$1.C_$high" "$high")"
  goal=24
  if [ "$1" = h2 ]; then goal=8; protocol=HTTP/2; fi
  local floors=()
  if has_run "http.C_floor_grpc"; then floors+=("gRPC alone $(rss_growth_kib http.C_floor_grpc "$high" echo)"); fi
  if has_run "$1.C_floor_upstream"; then floors+=("libcurl alone $(rss_growth_kib "$1.C_floor_upstream" "$high" client)"); fi
  local floor_text=""
  if [ "${#floors[@]}" -gt 0 ]; then floor_text="; floors: $(IFS=+; echo "${floors[*]}" | sed 's/+/ + /g') KiB"; fi
  echo "$g KiB ($protocol, $high in flight$floor_text)|$(verdict "$g <= $goal")"
}
target_c_throughput() {
  transport_scale "$1"
  local high="${C_LEVELS[${#C_LEVELS[@]}-1]}" little cpu bound r
  has_run "$1.C_$high" || { echo "not run|–"; return; }
  little="$(little_limit "$high")"; cpu="$(cpu_limit "$1.C_$high")"
  bound="$(calc "$little < $cpu ? $little : $cpu" 0)"
  r="$(calc "$(kv "$1.C_$high" rps) * 100 / $bound")"
  echo "$r % ($(f 0 "$1.C_$high" rps)/s of min(C/L $little, CPU $cpu)/s)|$(verdict "$r >= 95")"
}
target_handshakes() {
  [ "$1" != http ] || { echo "– (no TLS)|–"; return; }
  transport_scale "$1"
  local high="${C_LEVELS[${#C_LEVELS[@]}-1]}" parts=() worst=0 run h
  for run in "$1.B_gateway" "$1.C_$high"; do
    has_run "$run" || continue
    h="$(handshakes_per_1000 "$run")"
    parts+=("${run#*.}: $h")
    worst="$(calc "$h > $worst ? $h : $worst" 2)"
  done
  [ "${#parts[@]}" -gt 0 ] || { echo "not run|–"; return; }
  echo "$worst (${parts[*]})|$(verdict "$worst <= 1")"
}
target_h2_connections() {
  [ "$1" = h2 ] || { echo "– (not HTTP/2)|–"; return; }
  transport_scale "$1"
  local high="${C_LEVELS[${#C_LEVELS[@]}-1]}" n
  has_run "$1.C_$high" || { echo "not run|–"; return; }
  n="$(kv "$1.C_$high" conn.open_at_end)"
  echo "$n open at the window's end, $high in flight ($(connections_opened "$1.C_$high" total) opened since the gateway started, $H2_PREWARM of them pre-warmed; $(connections_opened "$1.C_$high" window) in the window)|$(verdict "$n <= 16")"
}

targets_table() {
  local title="Targets"
  if [ "$QUICK" -eq 1 ]; then title="Targets (quick run: tiny scale, verdicts mean nothing)"; fi
  local columns=() t
  for t in "${TRANSPORTS[@]}"; do columns+=("$(transport_name "$t")"); done
  section "###" "$title" target goal "${columns[@]}" verdict
  target_row() {  # LABEL GOAL FUNCTION
    local cells="" missed="" met="" out value v t
    for t in "${TRANSPORTS[@]}"; do
      out="$("$3" "$t")"
      value="${out%|*}"
      v="${out##*|}"
      case "$v" in
        –) cells="$cells | $value" ;;
        –*) cells="$cells | $value $v" ;;
        *) cells="$cells | $value: **$v**" ;;
      esac
      if [ "$v" = missed ]; then missed="${missed:+$missed, }$(transport_name "$t")"; fi
      if [ "$v" = met ]; then met=met; fi
    done
    local overall="${met:-–}"
    if [ -n "$missed" ]; then overall="missed ($missed)"; fi
    echo "| $1 | $2$cells | $overall |"
  }
  target_row "A: gateway p50 at one call in flight ÷ (gRPC floor p50 + upstream floor p50)" "≤ 1.15" target_a
  target_row "B: gateway CPU per call ÷ (gRPC floor + upstream floor), plain HTTP and HTTPS" "≤ 1.5" target_b
  target_row "C: gateway CPU per call at 10,000 in flight ÷ at 64 in flight" "≤ 1.2" target_c_cpu
  target_row "C: memory per call in flight (HTTP/1.1 / HTTP/2)" "≤ 24 KiB / ≤ 8 KiB" target_c_memory
  target_row "C: throughput at 10,000 in flight ÷ the lower of C/L and the CPU-bound limit" "≥ 95 %" target_c_throughput
  target_row "TLS handshakes per 1,000 calls in steady state" "≤ 1" target_handshakes
  target_row "HTTP/2: upstream connections at 10,000 in flight" "≤ 16" target_h2_connections
  echo
  echo "Floors: the gRPC floor is bench-echo-server, the upstream floor bench-curl-floor against the" \
       "same upstream over the same transport (HTTPS: eko-sim's TLS; HTTP/2: the same nghttpx)." \
       "Memory per call in flight is the gateway's RSS growth (sampled maximum − start) ÷ calls in" \
       "flight. TLS handshakes and connections come from the gateway's metrics endpoint" \
       "(eko_upstream_tls_handshakes_total, eko_upstream_connections_opened_total), read at the" \
       "start and end of the measured window; B runs at $B_CONCURRENCY in flight, C with the" \
       "simulator answering after $C_LATENCY_MS ms."
  echo
}

# --- per-transport tables -------------------------------------------------------------------
a_row() {  # RUN LABEL SERVER_PROC
  has_run "$1" || return 0
  echo "| $2 | $(f 0 "$1" rps) | $(f 1 "$1" lat_p50_us) | $(f 1 "$1" lat_p90_us) | $(f 1 "$1" lat_p99_us) | $(f 1 "$1" lat_p999_us) | $3 $(f 1 "$1" "proc.$3.ctxsw_per_call"), client $(f 1 "$1" proc.client.ctxsw_per_call) | $(errors_of "$1") |"
}
b_row() {  # RUN LABEL SERVER_PROC SERVER_LABEL
  has_run "$1" || return 0
  local server="–" sim="–" proxy="–"
  [ -n "$3" ] && server="$4 $(f 1 "$1" "proc.$3.cpu_us_per_call")"
  has_key "$1" proc.sim.cpu_us_per_call && sim="$(f 1 "$1" proc.sim.cpu_us_per_call)"
  has_key "$1" proc.proxy.cpu_us_per_call && proxy="$(f 1 "$1" proc.proxy.cpu_us_per_call)"
  echo "| $2 | $(f 0 "$1" rps) | $(f 1 "$1" lat_p50_us) | $(f 1 "$1" lat_p99_us) | $server | $(f 1 "$1" proc.client.cpu_us_per_call) | $sim | $proxy | $(errors_of "$1") |"
}
connections_line() {  # RUN: the gateway's connection counters in that run, if TLS
  has_run "$1" && [ "${1%%.*}" != http ] || return 0
  echo "Gateway connections in ${1#*.}: $(kv "$1" conn.open_at_end) open at the window's end;" \
       "$(connections_opened "$1" window) opened in the window ($(connections_opened "$1" total) since start:" \
       "$(kv "$1" conn.total.opened_h2) HTTP/2, $(kv "$1" conn.total.opened_h1) HTTP/1.1);" \
       "TLS handshakes in the window: $(kv "$1" conn.window.tls_full) full, $(kv "$1" conn.window.tls_resumed) resumed" \
       "($(handshakes_per_1000 "$1") per 1,000 calls)."
  echo
}

transport_tables() {  # TRANSPORT
  local t="$1" name upstream
  transport_scale "$t"
  name="$(transport_name "$t")"
  case "$t" in
    http) upstream="eko-sim over plain HTTP/1.1" ;;
    https) upstream="eko-sim over HTTPS (TLS, HTTP/1.1; the gateway with --eko-http2=off)" ;;
    h2) upstream="nghttpx (TLS, ALPN h2) in front of eko-sim's plain HTTP/1.1; the gateway with --eko-prewarm-connections=$H2_PREWARM" ;;
  esac
  printf '### %s: %s\n\n' "$name" "$upstream"
  if has_run "$t.A_gateway"; then
    section "####" "A: one call in flight, simulator answers at once ($name)" \
      run requests/s "p50 µs" "p90 µs" "p99 µs" "p99.9 µs" "context switches per call" errors
    a_row "$t.A_gateway" "gateway (eko-bench → eko-gateway → upstream)" gateway
    a_row "$t.A_upstream" "upstream floor (bench-curl-floor → upstream)" sim
    a_row "$t.A_echo" "gRPC floor (eko-bench → bench-echo-server)" echo
    echo
    echo "Added by the gateway: p50 $(calc "$(kv "$t.A_gateway" lat_p50_us) - $(kv "$t.A_upstream" lat_p50_us)") µs," \
         "p99 $(calc "$(kv "$t.A_gateway" lat_p99_us) - $(kv "$t.A_upstream" lat_p99_us)") µs (gateway − upstream floor)."
    echo
  fi
  if has_run "$t.B_gateway"; then
    section "####" "B: $B_CONCURRENCY calls in flight, simulator answers at once ($name)" run requests/s "p50 µs" \
      "p99 µs" "CPU µs/call of the server side" "CPU µs/call of the client" "CPU µs/call of eko-sim" \
      "CPU µs/call of nghttpx" errors
    b_row "$t.B_gateway" "gateway (info log: the default)" gateway gateway
    b_row "$t.B_gateway_nolog" "gateway (--log-level=warn)" gateway gateway
    b_row "$t.B_echo" "gRPC floor (bench-echo-server)" echo "echo server"
    b_row "$t.B_upstream" "upstream floor (bench-curl-floor: the client is libcurl)" "" ""
    echo
    if has_run "$t.B_open"; then
      echo "Open loop at $OPEN_RATE calls/s (half the closed-loop throughput; latency counted from each call's" \
           "scheduled start): p50 $(f 1 "$t.B_open" lat_p50_us) µs, p99 $(f 1 "$t.B_open" lat_p99_us) µs," \
           "p99.9 $(f 1 "$t.B_open" lat_p999_us) µs, $(kv "$t.B_open" not_sent) not sent, errors: $(errors_of "$t.B_open");" \
           "gateway CPU $(f 1 "$t.B_open" proc.gateway.cpu_us_per_call) µs/call."
      echo
    fi
    connections_line "$t.B_gateway"
  fi
  local c n
  has_run "$t.C_${C_LEVELS[0]}" || has_run "$t.C_${C_LEVELS[${#C_LEVELS[@]}-1]}" || return 0
  section "####" "C: simulator answers after $C_LATENCY_MS ms, closed loop ($name)" "in flight" requests/s \
    "Little's law C/L" achieved "p50 ms" "p99 ms" "p99.9 ms" "gateway threads (max)" \
    "gateway RSS peak (VmHWM) MiB" "RSS growth per in-flight call KiB" "gateway CPU µs/call" \
    "CPU µs/call of the whole path" "machine CPU busy" "CPU-bound limit" "of the lower limit" errors
  for c in "${C_LEVELS[@]}"; do
    n="$t.C_$c"
    has_run "$n" || continue
    local little cpu bound
    little="$(little_limit "$c")"; cpu="$(cpu_limit "$n")"; bound="$(calc "$little < $cpu ? $little : $cpu" 0)"
    echo "| $c | $(f 0 "$n" rps) | $little/s | $(calc "$(kv "$n" rps) * 100 / $little") % | $(calc "$(kv "$n" lat_p50_us) / 1000") | $(calc "$(kv "$n" lat_p99_us) / 1000") | $(calc "$(kv "$n" lat_p999_us) / 1000") | $(kv "$n" proc.gateway.threads_max) | $(calc "$(kv "$n" proc.gateway.vmhwm_kib) / 1024") | $(rss_growth_kib "$n" "$c") | $(f 1 "$n" proc.gateway.cpu_us_per_call) | $(cpu_all "$n") | $(f 0 "$n" machine_cpu_percent) % of $(($(nproc) * 100)) % | $cpu/s | $(calc "$(kv "$n" rps) * 100 / $bound") % | $(errors_of "$n") |"
  done
  echo
  for c in "${C_LEVELS[@]}"; do connections_line "$t.C_$c"; done
}

write_summary() {
  targets_table
  if [ "${#DISTURBED[@]}" -gt 0 ]; then
    echo "**Disturbed by other work on the machine** (CPU outside the measured processes): ${DISTURBED[*]}."
    echo
  fi
  local t
  for t in "${TRANSPORTS[@]}"; do transport_tables "$t"; done
  echo "CPU µs/call of the whole path: the gateway, eko-sim, nghttpx (HTTP/2) and the load generator." \
       "CPU-bound limit: the calls per second at which they, at the CPU per call measured in that" \
       "run, would together keep all $(nproc) CPUs busy ($(nproc) × 10⁶ µs ÷ their summed µs per call)." \
       "Where it is below C/L, the machine's CPUs, not the number of calls in flight, bound the throughput."
}

write_doc() {
  local cpu_model grpc_version curl_version protobuf_version mem_gib windows="" t
  cpu_model="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  grpc_version="$(pkg-config --modversion grpc++ 2>/dev/null || echo unknown)"
  curl_version="$(curl-config --version 2>/dev/null | sed 's/^libcurl //' || echo unknown)"
  protobuf_version="$(pkg-config --modversion protobuf 2>/dev/null || echo unknown)"
  mem_gib="$(awk '/^MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)"
  for t in "${TRANSPORTS[@]}"; do
    transport_scale "$t"
    windows="$windows $(transport_name "$t"): A ${A_WARMUP} s + ${A_DURATION} s, B ${B_WARMUP} s + ${B_DURATION} s,"
    windows="$windows C ${C_WARMUP} s + ${C_DURATION} s at ${C_LEVELS[*]} in flight;"
  done
  echo "# Benchmarks"
  echo
  echo "Written by \`scripts/bench\` on $(date -u +%Y-%m-%d) — do not edit by hand, run it again."
  echo "What each scenario measures and why, and why the missed targets are missed, is in" \
       "[tests/bench/README.md](../tests/bench/README.md)."
  echo
  echo "## How this was measured"
  echo
  echo "* Command: \`$COMMAND_LINE\` (from the repository root)."
  echo "* Machine: $(nproc) CPUs ($cpu_model), $mem_gib GiB RAM, Linux $(uname -r);" \
       "open-file limit $(ulimit -n)."
  echo "* CPUs busy before the run started: ${BUSY_BEFORE}% over one second (other work distorts the numbers)."
  echo "* Code: $CODE_STATE."
  echo "* Software: gRPC $grpc_version, libcurl $curl_version, protobuf $protobuf_version," \
       "$("$NGHTTPX" --version 2>/dev/null | head -1), $(openssl version | cut -d' ' -f1-2)," \
       "$(g++ --version | head -1); build type ${BUILD_TYPE:-unknown}."
  echo "* Everything runs on this one machine, over loopback, sharing its CPUs: the load" \
       "generator, eko-gateway, eko-sim, nghttpx and the floors. Numbers compare runs made side by" \
       "side; they are not a capacity figure for a dedicated server."
  echo "* Transports to the upstream: plain HTTP (eko-sim, HTTP/1.1); HTTPS (eko-sim serving TLS" \
       "with a certificate of a CA made for the run, HTTP/1.1, the gateway with \`--eko-http2=off\`);" \
       "HTTP/2 (nghttpx \`--workers=1\`, TLS with ALPN h2, $H2_STREAMS streams per connection, in" \
       "front of eko-sim's plain HTTP/1.1; the gateway with \`--eko-prewarm-connections=$H2_PREWARM\`)." \
       "The gateway and bench-curl-floor verify the certificate against that CA."
  echo "* eko-gateway runs with its defaults otherwise (JSON log line per RPC at info, to a file)," \
       "eko-sim with \`--otp-ttl-ms=$SIM_OTP_TTL_MS\`. Every gateway call is a" \
       "\`GetCustomer\` of a customer of its own (\`${CUSTOMERS[*]}\`: the gateway coalesces" \
       "identical lookups in flight), a signed upstream round trip that the simulator answers" \
       "with 463 (customer not found); bench-curl-floor requests the same. Closed loop; warm-up then a measured window (HTTPS and HTTP/2 have" \
       "shorter windows than plain HTTP, to keep the run short):$windows"
  echo "* Each tool also reports the machine's busy CPU over its window; more than $MAX_OTHER_CPU % (of one" \
       "CPU) outside the measured processes marks the run as disturbed by other work, and the run is" \
       "repeated (at most twice). Runs still disturbed: ${DISTURBED[*]:-none}."
  echo "* CPU is utime + stime of the whole process over the window (/proc/PID/stat, 10 ms ticks)" \
       "divided by the calls completed in it; threads and RSS are sampled every 100 ms."
  echo
  echo "## Results"
  echo
  cat "$SUMMARY"
  echo
  echo "## Raw reports"
  echo
  echo "Each tool's own table, in the order run."
  echo
  local r
  for r in "${RUNS[@]}"; do
    printf '<details><summary>%s</summary>\n\n```\n' "$r"
    cat "$WORK/$r.txt"
    printf '```\n\n</details>\n\n'
  done
}
