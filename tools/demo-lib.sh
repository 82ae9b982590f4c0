# What tools/demo and tools/demo-iot share (sourced, not run): the flags, timed output, the failure
# path, starting and stopping processes, the build step, the software eUICCs, ES2+ over curl and the
# AKA check. The sourcing script sets demo_name (its file name, for messages) and demo_usage_file.
set -Eeuo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

build=1
keep=0
zero_touch=0
iot=0
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    --keep) keep=1 ;;
    --zero-touch) zero_touch=1 ;;
    --iot) iot=1 ;;
    -h | --help) sed -n '2,/^set -/{/^set -/d;/^source /d;s/^# \{0,1\}//;p}' "$demo_usage_file"; exit 0 ;;
    *) echo "demo: unknown argument '$arg' (see tools/demo --help)" >&2; exit 2 ;;
  esac
done

# The operator's ES2+ identity (both demos).
readonly operator_id=demo-operator profile_type=demo

start_us="${EPOCHREALTIME//[!0-9]/}"
elapsed_us() { echo $(("${EPOCHREALTIME//[!0-9]/}" - start_us)); }
stamp() {
  local us
  us="$(elapsed_us)"
  printf '[%3d.%02d s]' $((us / 1000000)) $((us / 10000 % 100))
}
say() { printf '%s %s\n' "$(stamp)" "$*"; }
detail() { sed 's/^/             /' "$@"; }

tmp=""
pids=()   # the servers
child=""  # the step running now
# fail MESSAGE [LOG]: one clear line (and the end of the step's log), then out through the EXIT trap.
fail() {
  [[ -n "$tmp" ]] && : >"$tmp/failed"  # said once: a failure inside $(...) also fails its caller
  printf '%s demo: FAILED: %s\n' "$(stamp)" "$1" >&2
  if [[ -n "${2:-}" && -s "$2" ]]; then tail -n 20 "$2" | sed 's/^/             | /' >&2; fi
  exit 1
}
status=0
trap 'status=$?; [[ -n "$tmp" && -e "$tmp/failed" ]] && exit 1; fail "line $LINENO of tools/$demo_name: $BASH_COMMAND (exit $status)"' ERR

cleanup() {
  local rc=$? pid tries
  trap - ERR
  [[ -z "$child" ]] || pids+=("$child")
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    tries=0
    while kill -0 "$pid" 2>/dev/null && ((tries++ < 50)); do sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n "$tmp" ]]; then
    if ((keep)); then echo "demo: kept $tmp"; else rm -rf "$tmp"; fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "demo: interrupted" >&2; exit 130' INT
trap 'echo "demo: terminated" >&2; exit 143' TERM

# run NAME COMMAND...: COMMAND's stdout and stderr go to $tmp/NAME.log; a failure ends the demo.
# In the background and waited for, so that a signal stops the demo (and it) at once.
run() {
  local name="$1" rc=0
  shift
  "$@" >"$tmp/$name.log" 2>&1 &
  child=$!
  wait "$child" || rc=$?
  child=""
  ((rc == 0)) || fail "$name: ${1##*/} exited with $rc" "$tmp/$name.log"
}

# start NAME COMMAND...: a server in the background, stdout in $tmp/NAME.out, stderr in $tmp/NAME.log.
start() {
  local name="$1"
  shift
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.log" &
  pids+=("$!")
}

# await NAME PID FILE SED-SCRIPT: the first match of SED-SCRIPT (sed -n, with p) in FILE, waiting for
# the server PID to print it (10 s at most).
await() {
  local name="$1" pid="$2" file="$3" script="$4" value="" tries=0
  while :; do
    # The file appears when the server's shell opens it; sed stops at the first match (no pipe: with
    # pipefail a SIGPIPE would count as a failure).
    [[ -e "$file" ]] && value="$(sed -n "$script;T;q" "$file")"
    [[ -n "$value" ]] && break
    kill -0 "$pid" 2>/dev/null || fail "$name stopped before it was ready" "$tmp/$name.log"
    ((tries++ < 200)) || fail "$name did not say it was ready within 10 s" "$tmp/$name.log"
    sleep 0.05
  done
  printf '%s' "$value"
}

# json_field NAME FILE: the string value of "NAME" in a one-line JSON answer.
json_field() { sed -n 's/.*"'"$1"'":"\([^"]*\)".*/\1/p' "$2" | head -n 1; }
# field NAME FILE: the value of a "NAME value" (or "NAME: value") line.
field() { awk -v name="$1" '$1 == name || $1 == name ":" { print $2; exit }' "$2"; }

# build_programs PROGRAM...: install and build (unless --no-build) and set bin; every PROGRAM must be there.
build_programs() {
  if ((build)); then
    cd "$root"  # the presets are read from the current directory
    say "installing the Debian packages that are missing (tools/debian-packages)"
    tools/install-deps
    say "configuring (cmake --preset default)"
    cmake --preset default >/dev/null
    say "building $* into build/"
    cmake --build --preset default -j "$(nproc)" --target "$@"
    bin="$root/build/bin"
  else
    bin="${RSP_BUILD_DIR:-$root/build}/bin"
    for tool in curl openssl; do
      command -v "$tool" >/dev/null || { echo "demo: skipped: $tool is missing (apt-get install $tool)"; exit 77; }
    done
  fi
  local program
  for program in "$@"; do
    [[ -x "$bin/$program" ]] || fail "$bin/$program is missing: run tools/demo without --no-build, or build it"
  done
}

# make_workdir: the fresh temporary directory everything goes into.
make_workdir() {
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/rsp-demo.XXXXXX")"
  demo_us="$(elapsed_us)"
  say "working in $tmp"
}

# self_signed NAME CN: a self-signed P-256 client certificate $tmp/NAME.pem with key $tmp/NAME.key.pem.
self_signed() {
  run "$1" openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj "/CN=$2" -keyout "$tmp/$1.key.pem" -out "$tmp/$1.pem"
}

# start_smdp PKI DB: smdp serve for the operator; sets smdp_pid, es9_port, es2_port, smdp_host.
start_smdp() {
  start smdp "$bin/smdp" serve --pki "$1" --db "$2" --operator "$operator_id=$tmp/operator.pem" \
    --es9-listen 127.0.0.1:0 --es2-listen 127.0.0.1:0
  smdp_pid="${pids[-1]}"
  es9_port="$(await smdp "$smdp_pid" "$tmp/smdp.out" 's|^smdp: ES9+ of [^ ]* on https://[^/]*:\([0-9][0-9]*\)/.*|\1|p')"
  es2_port="$(await smdp "$smdp_pid" "$tmp/smdp.out" 's|^smdp: ES2+ on port \([0-9][0-9]*\).*|\1|p')"
  smdp_host="$(await smdp "$smdp_pid" "$tmp/smdp.out" 's|^smdp: ES9+ of \([^ ]*\) on .*|\1|p')"
}

# card NAME CREDENTIALS [FLAGS...]: a software eUICC in $tmp/NAME with the eUICC credentials of the PKI
# folder CREDENTIALS; sets card_pid, eid, card_port.
card() {
  local name="$1" credentials="$2"
  shift 2
  start "$name" "$bin/euicc-sim" --state "$tmp/$name" --listen 127.0.0.1:0 --pki "$credentials" "$@"
  card_pid="${pids[-1]}"
  eid="$(await "$name" "$card_pid" "$tmp/$name.out" 's|^euicc-sim: EID \([0-9A-Fa-f]*\).*|\1|p')"
  card_port="$(await "$name" "$card_pid" "$tmp/$name.log" 's|^vpcd: listening on .*:\([0-9][0-9]*\)$|\1|p')"
}

# es2_setup PKI: the operator's ES2+ client (curl) for the running SM-DP+.
es2_setup() {
  es2=(curl -sS --max-time 20 --resolve "$smdp_host:$es2_port:127.0.0.1" --cacert "$1/nist/ci.pem"
    --cert "$tmp/operator.pem" --key "$tmp/operator.key.pem"
    -H 'Content-Type: application/json' -H 'X-Admin-Protocol: gsma/rsp/v2.5.0')
}
# es2_call FUNCTION BODY [LOG-NAME]: one ES2+ call that must succeed; its answer in $tmp/LOG-NAME.log.
es2_call() {
  local log="${3:-$1}"
  run "$log" "${es2[@]}" "https://$smdp_host:$es2_port/gsma/rsp2/es2plus/$1" -d "$2"
  grep -q '"status":"Executed-Success"' "$tmp/$log.log" || fail "ES2+ $1 did not succeed" "$tmp/$log.log"
}
header() { printf '{"functionRequesterIdentifier":"%s","functionCallIdentifier":"%s"}' "$operator_id" "$1"; }

# aka_challenge NAME KI OPC [SQN]: the network's vector for the subscriber; sets rand, autn.
aka_challenge() {
  run "$1-vector" "$bin/rsp-aka" vector --ki "$2" --opc "$3" ${4:+--sqn "$4"} --json
  rand="$(json_field rand "$tmp/$1-vector.log")"
  autn="$(json_field autn "$tmp/$1-vector.log")"
  [[ -n "$rand" && -n "$autn" ]] || fail "rsp-aka vector printed no RAND and AUTN" "$tmp/$1-vector.log"
}
# aka_answer NAME IPA...: the card's USIM answers RAND/AUTN; sets aka_rc, res, ck, ik (empty when it did not).
aka_answer() {
  local name="$1"
  shift
  aka_rc=0 res="" ck="" ik=""
  "$@" usim authenticate --rand "$rand" --autn "$autn" >"$tmp/$name-authenticate.log" 2>&1 &
  child=$!
  wait "$child" || aka_rc=$?
  child=""
  ((aka_rc != 0)) && return 0
  res="$(field RES "$tmp/$name-authenticate.log")"
  ck="$(field CK "$tmp/$name-authenticate.log")"
  ik="$(field IK "$tmp/$name-authenticate.log")"
}
# aka_verify NAME KI OPC: the network checks RES, CK and IK.
aka_verify() {
  run "$1-verify" "$bin/rsp-aka" verify --ki "$2" --opc "$3" --rand "$rand" --res "$res" --ck "$ck" --ik "$ik"
}
