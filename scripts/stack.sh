#!/usr/bin/env bash
# Local infrastructure for development and tests, without Docker:
#   - Apache Kafka 4.x, single KRaft node (broker+controller), jars from Maven Central
#   - FerretDB 1.24.2 (MongoDB wire protocol) on SQLite, built with Go from stack/ferretdb
#
# Usage: scripts/stack.sh up|down|status|logs [-f] [N]|reset
#        scripts/stack.sh start|stop|restart kafka|ferretdb   (one component; `up`/`down` also take names)
#
# Environment:
#   KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), MONGODB_PORT (27017)
#   TDKT_STACK_DIR   data, logs, pids and the lock of this instance (<repo>/.stack); a second instance
#                    needs its own directory and free ports
#   TDKT_CACHE_DIR   downloaded jars and built binaries ($HOME/.cache/tdkt)
#   STACK_PYTHON     interpreter for scripts/stack_check.py (<repo>/.venv/bin/python);
#                    it needs aiokafka and pymongo
#   STACK_CHECK=0    `up` waits only for the ports instead of the full check
#   STACK_TIMEOUT    seconds `up` waits for both servers (90)
#   KAFKA_VERSION    override the version pinned in stack/kafka/pom.xml
#   KAFKA_HEAP_OPTS  JVM heap flags of the broker (-Xms128m -Xmx512m)
#   KAFKA_JVM_OPTS   other JVM flags of the broker (G1, C1-only JIT)
#   FERRETDB_LOG_LEVEL  debug|info|warn|error (warn)
#   FERRETDB_PPROF_ADDR host:port to serve Go pprof on (profiling; off by default)
#   JAVA_HOME, GO    Java 17+ and Go 1.24+ to use (default: from PATH, /usr/local/go/bin/go)
#
# Everything it writes in the repo is under .stack/ (git-ignored): data, logs, pid files.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
STACK_DIR="${TDKT_STACK_DIR:-$ROOT/.stack}"
[[ "$STACK_DIR" == /* ]] || STACK_DIR="$PWD/$STACK_DIR"
LOG_DIR="$STACK_DIR/logs"
PID_DIR="$STACK_DIR/pids"
CONF_DIR="$STACK_DIR/conf"
KAFKA_DATA="$STACK_DIR/kafka-data"
FERRET_DATA="$STACK_DIR/ferretdb-data"
KAFKA_LOG="$LOG_DIR/kafka.log"
FERRET_LOG="$LOG_DIR/ferretdb.log"
KAFKA_PID="$PID_DIR/kafka.pid"
FERRET_PID="$PID_DIR/ferretdb.pid"
KAFKA_CONF="$CONF_DIR/server.properties"

CACHE_DIR="${TDKT_CACHE_DIR:-$HOME/.cache/tdkt}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
MONGODB_PORT="${MONGODB_PORT:-27017}"
STACK_TIMEOUT="${STACK_TIMEOUT:-90}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}"
# C1 only (TieredStopAtLevel=1): ~1.5 s faster start, ~30 MB less RSS and no C2 compiler
# threads competing with the tests for the 2 cores; peak throughput is irrelevant here.
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:TieredStopAtLevel=1}"

KAFKA_SRC="$ROOT/stack/kafka"
FERRET_SRC="$ROOT/stack/ferretdb"
PINNED_KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_SRC/pom.xml" | head -n1)"
KAFKA_VERSION="${KAFKA_VERSION:-$PINNED_KAFKA_VERSION}"
KAFKA_HOME="$CACHE_DIR/kafka-$KAFKA_VERSION"
KAFKA_LIB="$KAFKA_HOME/lib"
FERRETDB_VERSION="$(sed -n 's:^[[:space:]]*require[[:space:]]*github.com/FerretDB/FerretDB v\([^[:space:]]*\).*:\1:p; s:^[[:space:]]*github.com/FerretDB/FerretDB v\([^[:space:]]*\).*:\1:p' "$FERRET_SRC/go.mod" | head -n1)"

T0="${EPOCHREALTIME/./}"

# ---------------------------------------------------------------- helpers

elapsed() { # seconds since start, one decimal
    local now="${EPOCHREALTIME/./}"
    local d=$(((now - T0) / 100000))
    printf '%d.%d' $((d / 10)) $((d % 10))
}
say() { printf '[stack %6ss] %s\n' "$(elapsed)" "$*"; }
die() {
    printf '[stack %6ss] ERROR: %s\n' "$(elapsed)" "$*" >&2
    exit 1
}
show_log() { # file [lines]
    local f="$1" n="${2:-40}"
    if [[ -s "$f" ]]; then
        printf -- '----- last %s lines of %s -----\n' "$n" "${f#"$ROOT"/}" >&2
        tail -n "$n" "$f" >&2
        printf -- '-----\n' >&2
    fi
}

java_bin() {
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
        echo "$JAVA_HOME/bin/java"
    else
        command -v java || true
    fi
}
go_bin() {
    if [[ -n "${GO:-}" ]]; then
        echo "$GO"
    elif command -v go >/dev/null 2>&1; then
        command -v go
    elif [[ -x /usr/local/go/bin/go ]]; then
        echo /usr/local/go/bin/go
    fi
}

port_open() { # port -> 0 if something accepts TCP connections on 127.0.0.1:port
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
port_owner() { # best-effort description of who listens on a port
    if command -v ss >/dev/null 2>&1; then
        ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\)))$/\1/p' | head -n1
    fi
}

alive() { # pid -> 0 if the process exists and is not a zombie
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [[ "${stat:0:1}" != Z ]]
}

# A pid file is trusted only if that pid is alive and its command line still names
# this instance's stack dir (guards against pid reuse and against other checkouts).
pid_of() { # name -> prints the pid if our process runs
    local pidfile marker pid
    case "$1" in
    kafka) pidfile="$KAFKA_PID" marker="$KAFKA_CONF" ;;
    ferretdb) pidfile="$FERRET_PID" marker="$FERRET_DATA" ;;
    esac
    [[ -f "$pidfile" ]] || return 1
    pid="$(tr -dc '0-9' <"$pidfile")"
    [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker" || return 1
    echo "$pid"
}

stop_all() { # names... : SIGTERM to each of ours, wait up to 30 s, then SIGKILL
    local name pid i names=() pids=()
    for name in "$@"; do
        if pid="$(pid_of "$name")"; then
            say "$name: stopping pid $pid (SIGTERM)"
            kill -TERM "$pid" 2>/dev/null || true
            names+=("$name")
            pids+=("$pid")
        else
            rm -f "$PID_DIR/$name.pid" "$PID_DIR/$name.ports"
            say "$name: not running"
        fi
    done
    for ((i = 0; i < ${#pids[@]}; i++)); do
        name="${names[i]}" pid="${pids[i]}"
        local waited=0
        while alive "$pid" && ((waited < 300)); do
            sleep 0.1
            waited=$((waited + 1))
        done
        if alive "$pid"; then
            say "$name: still alive after 30 s, SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            waited=0
            while alive "$pid" && ((waited < 50)); do
                sleep 0.1
                waited=$((waited + 1))
            done
        fi
        rm -f "$PID_DIR/$name.pid" "$PID_DIR/$name.ports"
        say "$name: stopped"
    done
}

check_port_free() { # name port
    if port_open "$2"; then
        local who
        who="$(port_owner "$2")"
        die "$1: port 127.0.0.1:$2 is already in use by another process${who:+ ($who)}; stop it or choose another port (KAFKA_PORT / KAFKA_CONTROLLER_PORT / MONGODB_PORT)"
    fi
}

sha_of() { cat "$@" | sha256sum | cut -c1-16; }

LOCKED=0
lock() {
    ((LOCKED)) && return 0
    LOCKED=1
    mkdir -p "$STACK_DIR"
    if command -v flock >/dev/null 2>&1; then
        # fd 9 is closed for the servers (9>&-), else they would hold the lock forever.
        exec 9>"$STACK_DIR/.lock"
        flock -w 900 9 || die "another scripts/stack.sh is running (lock $STACK_DIR/.lock)"
    fi
}

# ---------------------------------------------------------------- installs

# Kafka jars: mvn dependency:copy-dependencies of stack/kafka/pom.xml into the cache.
# A stamp with the pom's hash makes a pom change re-fetch.
kafka_libs_ready() {
    [[ -f "$KAFKA_HOME/.stamp" && "$(cat "$KAFKA_HOME/.stamp")" == "$(sha_of "$KAFKA_SRC/pom.xml")" ]] &&
        compgen -G "$KAFKA_LIB/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null
}
fetch_kafka_libs() { # runs in the background; output to $1
    local out="$1" tmp
    command -v mvn >/dev/null 2>&1 || {
        echo "mvn (Maven) not found on PATH" >"$out"
        return 1
    }
    mkdir -p "$KAFKA_HOME"
    tmp="$KAFKA_HOME/lib.tmp.$$"
    rm -rf "$tmp"
    if ! mvn -B -q -Dstyle.color=never -f "$KAFKA_SRC/pom.xml" \
        -Dkafka.version="$KAFKA_VERSION" \
        dependency:copy-dependencies -DoutputDirectory="$tmp" >"$out" 2>&1; then
        rm -rf "$tmp"
        return 1
    fi
    rm -rf "$KAFKA_LIB"
    mv "$tmp" "$KAFKA_LIB"
    sha_of "$KAFKA_SRC/pom.xml" >"$KAFKA_HOME/.stamp"
}

# FerretDB: build stack/ferretdb (embedding main module) with Go into the cache;
# the directory name carries a hash of the sources so a change rebuilds.
ferret_bin_path() {
    echo "$CACHE_DIR/ferretdb-$FERRETDB_VERSION-$(sha_of "$FERRET_SRC/main.go" "$FERRET_SRC/go.mod" "$FERRET_SRC/go.sum" "$FERRET_SRC"/patches/*.patch)/ferretdb"
}
build_ferretdb() { # runs in the background; output to $1
    local out="$1" bin go tmp
    bin="$(ferret_bin_path)"
    go="$(go_bin)"
    [[ -n "$go" ]] || {
        echo "go not found (PATH, /usr/local/go/bin/go, or set GO=)" >"$out"
        return 1
    }
    mkdir -p "$(dirname "$bin")"
    tmp="$bin.tmp.$$"
    # The FerretDB module is copied from the Go module cache, patched (stack/ferretdb/patches), and built
    # through a `replace` in a scratch copy of the main module. -mod=readonly: go.sum is committed;
    # -buildvcs=false: no git stamping; ferretdb_no_postgresql: only the SQLite backend is compiled in.
    if ! (
        set -e
        work="$tmp.src"
        rm -rf "$work" && mkdir -p "$work/main"
        trap 'rm -rf "$work"' EXIT
        cd "$FERRET_SRC"
        upstream="$("$go" mod download -json "github.com/FerretDB/FerretDB@v$FERRETDB_VERSION" |
            sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
        [[ -d "$upstream" ]] || { echo "FerretDB $FERRETDB_VERSION is not in the Go module cache"; exit 1; }
        cp -R "$upstream" "$work/FerretDB" && chmod -R u+w "$work/FerretDB"
        for p in "$FERRET_SRC"/patches/*.patch; do
            echo "applying ${p#"$ROOT"/}"
            patch -d "$work/FerretDB" -p1 --forward --batch <"$p"
        done
        cp main.go go.mod go.sum "$work/main/"
        cd "$work/main"
        "$go" mod edit -replace "github.com/FerretDB/FerretDB=../FerretDB"
        CGO_ENABLED=0 "$go" build -mod=readonly -buildvcs=false -trimpath \
            -tags ferretdb_no_postgresql -ldflags='-s -w' -o "$tmp" .
    ) >"$out" 2>&1; then
        rm -f "$tmp"
        return 1
    fi
    mv -f "$tmp" "$bin"
    # Drop builds of older sources (one cache dir per source hash).
    local d
    for d in "$CACHE_DIR"/ferretdb-*; do
        [[ -d "$d" && "$d" != "$(dirname "$bin")" ]] && rm -rf "$d"
    done
    return 0
}

# ---------------------------------------------------------------- start

render_kafka_conf() {
    mkdir -p "$CONF_DIR"
    sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
        -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
        -e "s|@KAFKA_DATA_DIR@|$KAFKA_DATA|g" \
        "$KAFKA_SRC/server.properties.tmpl" >"$KAFKA_CONF.tmp"
    mv -f "$KAFKA_CONF.tmp" "$KAFKA_CONF"
}

random_cluster_id() { # same shape as Kafka's Uuid: 16 random bytes, base64url, no padding
    local id
    while :; do
        id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
        [[ "$id" == -* ]] || break
    done
    echo "$id"
}

start_kafka() {
    local java pid
    java="$(java_bin)"
    [[ -n "$java" ]] || die "kafka: java not found (install Java 17+ or set JAVA_HOME)"
    render_kafka_conf
    mkdir -p "$KAFKA_DATA"
    if [[ ! -f "$KAFKA_DATA/meta.properties" ]]; then
        say "kafka: formatting storage in ${KAFKA_DATA#"$ROOT"/}"
        if ! "$java" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="$KAFKA_SRC/log4j2.properties" -cp "$KAFKA_LIB/*" \
            kafka.tools.StorageTool format --ignore-formatted \
            -t "$(random_cluster_id)" -c "$KAFKA_CONF" >>"$KAFKA_LOG" 2>&1; then
            show_log "$KAFKA_LOG"
            die "kafka: storage format failed"
        fi
    fi
    printf '\n===== scripts/stack.sh: starting Kafka %s at %s =====\n' "$KAFKA_VERSION" "$(date '+%F %T')" >>"$KAFKA_LOG"
    # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS and KAFKA_JVM_OPTS are lists of flags
    setsid "$java" $KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS -Djava.awt.headless=true \
        -Dlog4j2.configurationFile="$KAFKA_SRC/log4j2.properties" \
        -Dkafka.logs.dir="$LOG_DIR" \
        -cp "$KAFKA_LIB/*" kafka.Kafka "$KAFKA_CONF" \
        </dev/null >>"$KAFKA_LOG" 2>&1 9>&- &
    pid=$!
    echo "$pid" >"$KAFKA_PID"
    echo "$KAFKA_PORT $KAFKA_CONTROLLER_PORT" >"$PID_DIR/kafka.ports"
    say "kafka: started pid $pid ($KAFKA_VERSION, 127.0.0.1:$KAFKA_PORT, controller :$KAFKA_CONTROLLER_PORT)"
}

start_ferretdb() {
    local bin="$1" pid
    mkdir -p "$FERRET_DATA"
    printf '\n===== scripts/stack.sh: starting FerretDB %s at %s =====\n' "$FERRETDB_VERSION" "$(date '+%F %T')" >>"$FERRET_LOG"
    setsid "$bin" -listen-addr "127.0.0.1:$MONGODB_PORT" -sqlite-dir "$FERRET_DATA" \
        -log-level "${FERRETDB_LOG_LEVEL:-warn}" ${FERRETDB_PPROF_ADDR:+-pprof-addr "$FERRETDB_PPROF_ADDR"} \
        </dev/null >>"$FERRET_LOG" 2>&1 9>&- &
    pid=$!
    echo "$pid" >"$FERRET_PID"
    echo "$MONGODB_PORT" >"$PID_DIR/ferretdb.ports"
    say "ferretdb: started pid $pid ($FERRETDB_VERSION, 127.0.0.1:$MONGODB_PORT)"
}

wait_port() { # name port logfile timeout_s
    local name="$1" port="$2" log="$3" limit=$(($4 * 10)) i pid
    # Right after `&` the child may still be bash/setsid (not yet exec'ed), so only
    # liveness of the recorded pid is checked here, not its command line.
    pid="$(tr -dc '0-9' <"$PID_DIR/$name.pid")"
    for ((i = 0; i < limit; i++)); do
        if ! alive "$pid"; then
            show_log "$log"
            die "$name: process $pid exited during start-up (scripts/stack.sh down stops the rest)"
        fi
        port_open "$port" && return 0
        sleep 0.1
    done
    show_log "$log"
    die "$name: port $port not open after $4 s"
}

wait_bg() { # pid name outfile -> waits for a background install job
    if ! wait "$1"; then
        show_log "$3"
        die "$2 failed (full output: ${3#"$ROOT"/})"
    fi
}

components() { # names... -> prints "kafka ferretdb" (all) or the names given, validated
    local c
    (($#)) || set -- kafka ferretdb
    for c in "$@"; do
        case "$c" in
        kafka | ferretdb) ;;
        *) die "unknown component $c (kafka or ferretdb)" ;;
        esac
    done
    echo "$@"
}

cmd_up() { # [kafka|ferretdb]...: both by default; the round-trip check runs only when both are started
    local wanted want_kafka=0 want_ferret=0
    wanted=" $(components "$@") "
    [[ "$wanted" == *" kafka "* ]] && want_kafka=1
    [[ "$wanted" == *" ferretdb "* ]] && want_ferret=1
    lock
    mkdir -p "$LOG_DIR" "$PID_DIR" "$KAFKA_DATA" "$FERRET_DATA"
    [[ -n "$PINNED_KAFKA_VERSION" ]] || die "no <kafka.version> in stack/kafka/pom.xml"
    [[ -n "$FERRETDB_VERSION" ]] || die "no github.com/FerretDB/FerretDB requirement in stack/ferretdb/go.mod"

    # kpid/fpid: the running pid, "" to start it, or "-" when not asked for
    local kpid="-" fpid="-" kjob="" fjob="" fbin
    if ((want_kafka)); then
        kpid="$(pid_of kafka)" || kpid=""
        if [[ -n "$kpid" ]]; then
            say "kafka: already running (pid $kpid)"
            [[ ! -f "$PID_DIR/kafka.ports" || "$(cat "$PID_DIR/kafka.ports")" == "$KAFKA_PORT $KAFKA_CONTROLLER_PORT" ]] ||
                die "kafka: running with other ports ($(cat "$PID_DIR/kafka.ports")); run scripts/stack.sh down first"
        else
            check_port_free kafka "$KAFKA_PORT"
            check_port_free kafka-controller "$KAFKA_CONTROLLER_PORT"
        fi
    fi
    if ((want_ferret)); then
        fpid="$(pid_of ferretdb)" || fpid=""
        if [[ -n "$fpid" ]]; then
            say "ferretdb: already running (pid $fpid)"
            [[ ! -f "$PID_DIR/ferretdb.ports" || "$(cat "$PID_DIR/ferretdb.ports")" == "$MONGODB_PORT" ]] ||
                die "ferretdb: running with another port ($(cat "$PID_DIR/ferretdb.ports")); run scripts/stack.sh down first"
        else
            check_port_free ferretdb "$MONGODB_PORT"
        fi
    fi

    # Installs run in parallel: Maven is mostly network, the Go build mostly CPU.
    if [[ -z "$kpid" ]]; then
        if kafka_libs_ready; then
            say "kafka: jars cached in $KAFKA_LIB"
        else
            say "kafka: fetching $KAFKA_VERSION jars with Maven into $KAFKA_LIB"
            fetch_kafka_libs "$LOG_DIR/setup-kafka.log" &
            kjob=$!
        fi
    fi
    fbin="$(ferret_bin_path)"
    if [[ -z "$fpid" ]]; then
        if [[ -x "$fbin" ]]; then
            say "ferretdb: binary cached at $fbin"
        else
            say "ferretdb: building $FERRETDB_VERSION with Go into $(dirname "$fbin") (first time: a few minutes)"
            build_ferretdb "$LOG_DIR/setup-ferretdb.log" &
            fjob=$!
        fi
    fi

    # Kafka first: its JVM start-up overlaps with the Go build.
    if [[ -z "$kpid" ]]; then
        if [[ -n "$kjob" ]]; then
            wait_bg "$kjob" "kafka: Maven fetch" "$LOG_DIR/setup-kafka.log"
            say "kafka: jars ready ($(find "$KAFKA_LIB" -name '*.jar' | wc -l) jars)"
        fi
        start_kafka
    fi
    if [[ -z "$fpid" ]]; then
        if [[ -n "$fjob" ]]; then
            wait_bg "$fjob" "ferretdb: go build" "$LOG_DIR/setup-ferretdb.log"
            say "ferretdb: built $fbin"
        fi
        start_ferretdb "$fbin"
    fi

    if ((want_ferret)); then
        wait_port ferretdb "$MONGODB_PORT" "$FERRET_LOG" "$STACK_TIMEOUT"
        say "ferretdb: listening on 127.0.0.1:$MONGODB_PORT"
    fi
    if ((want_kafka)); then
        wait_port kafka "$KAFKA_PORT" "$KAFKA_LOG" "$STACK_TIMEOUT"
        say "kafka: listening on 127.0.0.1:$KAFKA_PORT"
    fi

    if [[ "${STACK_CHECK:-1}" == "0" ]]; then
        say "up: ports open (STACK_CHECK=0, round-trip check skipped)"
        return 0
    fi
    if ! ((want_kafka && want_ferret)); then
        say "up: ports open (one component started: round-trip check skipped)"
        return 0
    fi
    local py="${STACK_PYTHON:-$ROOT/.venv/bin/python}"
    [[ -x "$py" ]] || command -v "$py" >/dev/null 2>&1 ||
        die "check: no Python at $py (create the project venv, or set STACK_PYTHON to a python with aiokafka and pymongo; STACK_CHECK=0 skips the check)"
    say "check: produce/consume on Kafka and ping/CRUD on FerretDB (timeout ${STACK_TIMEOUT}s)"
    if ! KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" MONGODB_URL="mongodb://127.0.0.1:$MONGODB_PORT" \
        "$py" "$ROOT/scripts/stack_check.py" --timeout "$STACK_TIMEOUT"; then
        pid_of kafka >/dev/null || say "kafka: process is gone"
        pid_of ferretdb >/dev/null || say "ferretdb: process is gone"
        show_log "$KAFKA_LOG"
        show_log "$FERRET_LOG"
        die "check failed: servers started but did not answer (logs above; scripts/stack.sh logs)"
    fi
    say "up: ready — KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT MONGODB_URL=mongodb://127.0.0.1:$MONGODB_PORT"
}

cmd_down() { # [kafka|ferretdb]...: both by default
    local wanted name names=()
    wanted=" $(components "$@") "
    [[ -d "$STACK_DIR" ]] || {
        say "nothing to stop (no ${STACK_DIR#"$ROOT"/})"
        return 0
    }
    lock
    for name in ferretdb kafka; do
        [[ "$wanted" == *" $name "* ]] && names+=("$name")
    done
    stop_all "${names[@]}"
}

cmd_restart() { # kafka|ferretdb...: stop, then start again on the same data and ports
    (($#)) || die "restart: name a component (kafka or ferretdb)"
    cmd_down "$@"
    cmd_up "$@"
}

cmd_status() {
    local pid rc=0 ports kp kcp
    if pid="$(pid_of kafka)"; then
        kp="$KAFKA_PORT" kcp="$KAFKA_CONTROLLER_PORT"
        [[ -f "$PID_DIR/kafka.ports" ]] && read -r kp kcp <"$PID_DIR/kafka.ports"
        printf '%-9s running  pid %-7s 127.0.0.1:%s (controller :%s)  %s\n' kafka "$pid" "$kp" "$kcp" "$KAFKA_VERSION"
    else
        ports=""
        port_open "$KAFKA_PORT" && ports=" (port $KAFKA_PORT is in use by another process)"
        printf '%-9s stopped%s\n' kafka "$ports"
        rc=3
    fi
    if pid="$(pid_of ferretdb)"; then
        printf '%-9s running  pid %-7s 127.0.0.1:%s  %s\n' ferretdb "$pid" "$(cat "$PID_DIR/ferretdb.ports" 2>/dev/null || echo "$MONGODB_PORT")" "$FERRETDB_VERSION"
    else
        ports=""
        port_open "$MONGODB_PORT" && ports=" (port $MONGODB_PORT is in use by another process)"
        printf '%-9s stopped%s\n' ferretdb "$ports"
        rc=3
    fi
    return "$rc"
}

cmd_logs() {
    local follow=0 n=40 a files=()
    for a in "$@"; do
        case "$a" in
        -f | --follow) follow=1 ;;
        *[!0-9]* | '') die "logs: unknown argument $a (use: logs [-f] [LINES])" ;;
        *) n="$a" ;;
        esac
    done
    for a in "$KAFKA_LOG" "$FERRET_LOG"; do [[ -f "$a" ]] && files+=("$a"); done
    ((${#files[@]})) || {
        say "no logs yet"
        return 0
    }
    if ((follow)); then
        exec tail -n "$n" -F "${files[@]}"
    fi
    tail -n "$n" "${files[@]}"
}

cmd_reset() {
    cmd_down
    if [[ -d "$STACK_DIR" ]]; then
        rm -rf "$STACK_DIR"
        say "reset: removed ${STACK_DIR#"$ROOT"/}"
    fi
}

usage() {
    sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

case "${1:-}" in
up | start)
    [[ "$1" == up ]] || (($# > 1)) || die "start: name a component (kafka or ferretdb), or use up"
    shift
    cmd_up "$@"
    ;;
down | stop)
    [[ "$1" == down ]] || (($# > 1)) || die "stop: name a component (kafka or ferretdb), or use down"
    shift
    cmd_down "$@"
    ;;
restart)
    shift
    cmd_restart "$@"
    ;;
status) cmd_status ;;
logs)
    shift
    cmd_logs "$@"
    ;;
reset) cmd_reset ;;
-h | --help | help)
    usage
    ;;
*)
    usage >&2
    exit 2
    ;;
esac
