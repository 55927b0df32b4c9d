#!/usr/bin/env bash
# Local infrastructure for development and tests, without Docker:
#   - Apache Kafka 4.x, single KRaft node (broker+controller), jars from Maven Central
#   - PostgreSQL 15 (Debian's /usr/lib/postgresql/15), the storage of FerretDB
#   - FerretDB 1.24.2 (MongoDB wire protocol) on that PostgreSQL, built with Go from stack/ferretdb
#
# Usage: scripts/stack.sh up|down|status|logs [-f] [N]|reset
#        scripts/stack.sh start|stop|restart postgres|kafka|ferretdb   (`up`/`down` also take names;
#        starting ferretdb starts postgres first when it is not running)
#
# PostgreSQL is for local use only: loopback only, `trust` auth, and fsync=off, synchronous_commit=off,
# full_page_writes=off (a crash of the machine, not of the server, can lose or corrupt its data). Run as
# root, it runs as the `postgres` system user (POSTGRES_RUN_AS; created if missing) with the ambient
# capability dac_read_search (or dac_override) so it can reach a data dir under root-only (0700) parents.
#
# Environment:
#   KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), MONGODB_PORT (27017)
#   POSTGRES_PORT    (54329, not 5432: a system PostgreSQL may own that)
#   POSTGRES_BIN     PostgreSQL 15 server binaries (/usr/lib/postgresql/15/bin); when missing, root
#                    installs Debian's postgresql-15 with apt-get, anyone else gets an error
#   POSTGRES_RUN_AS  system user that runs PostgreSQL when the script runs as root (postgres)
#   TDKT_STACK_DIR   data, logs, pids and the lock of this instance (<repo>/.stack); a second instance
#                    needs its own directory and free ports
#   TDKT_CACHE_DIR   downloaded jars and built binaries ($HOME/.cache/tdkt)
#   STACK_PYTHON     interpreter for scripts/stack_check.py (<repo>/.venv/bin/python);
#                    it needs aiokafka and pymongo
#   STACK_CHECK=0    `up` waits only for the ports instead of the full check
#   STACK_TIMEOUT    seconds `up` waits for the servers (90)
#   KAFKA_VERSION    override the version pinned in stack/kafka/pom.xml
#   KAFKA_HEAP_OPTS  JVM heap flags of the broker (-Xms128m -Xmx512m)
#   KAFKA_JVM_OPTS   other JVM flags of the broker (G1, C1-only JIT)
#   FERRETDB_LOG_LEVEL  debug|info|warn|error (warn)
#   FERRETDB_PPROF_ADDR host:port to serve Go pprof on (profiling; off by default)
#   FERRETDB_GOGC      Go's GOGC for FerretDB (400: a quarter of the default's collections; heap stays tens of MB)
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
PG_DATA="$STACK_DIR/postgres-data"
KAFKA_LOG="$LOG_DIR/kafka.log"
FERRET_LOG="$LOG_DIR/ferretdb.log"
PG_LOG="$LOG_DIR/postgres.log"
KAFKA_PID="$PID_DIR/kafka.pid"
FERRET_PID="$PID_DIR/ferretdb.pid"
PG_PID="$PID_DIR/postgres.pid"
KAFKA_CONF="$CONF_DIR/server.properties"

CACHE_DIR="${TDKT_CACHE_DIR:-$HOME/.cache/tdkt}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
MONGODB_PORT="${MONGODB_PORT:-27017}"
POSTGRES_PORT="${POSTGRES_PORT:-54329}"
POSTGRES_BIN="${POSTGRES_BIN:-/usr/lib/postgresql/15/bin}"
POSTGRES_RUN_AS="${POSTGRES_RUN_AS:-postgres}"
PG_DATABASE=ferretdb # the database FerretDB keeps its data in (one schema per MongoDB database)
PG_SUPERUSER=postgres
FERRETDB_PG_URL="postgres://$PG_SUPERUSER@127.0.0.1:$POSTGRES_PORT/$PG_DATABASE"
# Local use only: no durability against a machine crash, loopback only, no Unix socket.
PG_OPTS=(
    -c listen_addresses=127.0.0.1
    -c unix_socket_directories=
    -c fsync=off
    -c synchronous_commit=off
    -c full_page_writes=off
    -c wal_level=minimal
    -c max_wal_senders=0
    -c log_line_prefix='%m [%p] '
    # documents over 2 KB (a report with its outbox) are compressed on every write: lz4, not pglz
    -c default_toast_compression=lz4
)
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

# A pid file is trusted only if that pid is alive and its command line still names this
# instance (its stack dir, or for FerretDB the port it was started on): guards against pid
# reuse and against other checkouts.
pid_of() { # name -> prints the pid if our process runs
    local pidfile marker pid port
    case "$1" in
    kafka) pidfile="$KAFKA_PID" marker="$KAFKA_CONF" ;;
    postgres) pidfile="$PG_PID" marker="-D $PG_DATA " ;;
    ferretdb)
        pidfile="$FERRET_PID"
        port="$(cat "$PID_DIR/ferretdb.ports" 2>/dev/null || echo "$MONGODB_PORT")"
        marker="-listen-addr 127.0.0.1:$port "
        ;;
    esac
    [[ -f "$pidfile" ]] || return 1
    pid="$(tr -dc '0-9' <"$pidfile")"
    [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker" || return 1
    echo "$pid"
}

stop_all() { # names... : SIGTERM to each of ours (PostgreSQL: SIGINT), wait up to 30 s, then SIGKILL
    local name pid i sig names=() pids=()
    for name in "$@"; do
        if pid="$(pid_of "$name")"; then
            # PostgreSQL's SIGTERM is a "smart" shutdown that waits for every client (FerretDB's pool)
            # to disconnect; SIGINT is the "fast" one: it ends the sessions and writes a checkpoint.
            sig=TERM
            [[ "$name" == postgres ]] && sig=INT
            say "$name: stopping pid $pid (SIG$sig)"
            kill -"$sig" "$pid" 2>/dev/null || true
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
            # its own session (setsid): the group also holds PostgreSQL's backends
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
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
        die "$1: port 127.0.0.1:$2 is already in use by another process${who:+ ($who)}; stop it or choose another port (KAFKA_PORT / KAFKA_CONTROLLER_PORT / MONGODB_PORT / POSTGRES_PORT)"
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

# PostgreSQL 15: Debian's package. Only root can install it; anyone else is told how.
ensure_postgres_bin() {
    [[ -x "$POSTGRES_BIN/postgres" && -x "$POSTGRES_BIN/initdb" ]] && return 0
    if ((EUID != 0)); then
        die "postgres: no PostgreSQL 15 server in $POSTGRES_BIN; install it (sudo apt-get install postgresql-15) or set POSTGRES_BIN to the directory of its initdb and postgres"
    fi
    command -v apt-get >/dev/null 2>&1 ||
        die "postgres: no PostgreSQL 15 server in $POSTGRES_BIN and no apt-get to install it; set POSTGRES_BIN"
    local out="$LOG_DIR/setup-postgres.log"
    say "postgres: installing Debian's postgresql-15 with apt-get (output: ${out#"$ROOT"/})"
    # Debian's package also creates its own `main` cluster on 5432; ours is separate (POSTGRES_PORT).
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends --no-upgrade postgresql-15 >"$out" 2>&1; then
        say "postgres: not found in the package lists, running apt-get update first"
        if ! { DEBIAN_FRONTEND=noninteractive apt-get update && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y --no-install-recommends --no-upgrade postgresql-15; } >>"$out" 2>&1; then
            show_log "$out"
            die "postgres: apt-get install postgresql-15 failed"
        fi
    fi
    [[ -x "$POSTGRES_BIN/postgres" && -x "$POSTGRES_BIN/initdb" ]] ||
        die "postgres: postgresql-15 is installed but $POSTGRES_BIN has no initdb/postgres"
}

# initdb and postgres refuse to run as root. As root they run as $POSTGRES_RUN_AS, which owns only the
# data dir; the stack dir's parents may be root-only (CI clones into a 0700 `mktemp -d`), so the server
# keeps one ambient capability to traverse them: dac_read_search (read/search anywhere, write nowhere),
# or dac_override when the bounding set lacks it (Docker's default set). Its log is a file descriptor
# opened by this script.
PG_CAP=""
PG_RUN=() # command prefix that runs a program as the PostgreSQL user
pg_prepare_user() { # as root: make sure the run-as user exists, pick the capability, set PG_RUN
    local eff
    ((EUID == 0)) || return 0
    [[ -z "$PG_CAP" ]] || return 0
    command -v setpriv >/dev/null 2>&1 || die "postgres: setpriv (util-linux) is needed to run PostgreSQL as $POSTGRES_RUN_AS"
    if ! getent passwd "$POSTGRES_RUN_AS" >/dev/null; then
        say "postgres: creating system user $POSTGRES_RUN_AS"
        useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
            "$POSTGRES_RUN_AS" || die "postgres: cannot create system user $POSTGRES_RUN_AS"
    fi
    eff="$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)"
    if (((16#$eff >> 2) & 1)); then
        PG_CAP=dac_read_search
    elif (((16#$eff >> 1) & 1)); then
        PG_CAP=dac_override
    else
        die "postgres: running as root without CAP_DAC_READ_SEARCH or CAP_DAC_OVERRIDE; run as a normal user instead"
    fi
    PG_RUN=(setpriv --reuid="$POSTGRES_RUN_AS" --regid="$POSTGRES_RUN_AS" --init-groups
        --inh-caps="+$PG_CAP" --ambient-caps="+$PG_CAP" --)
}
as_pg() { "${PG_RUN[@]}" "$@"; } # command... : run as the PostgreSQL user
pg_version() { "$POSTGRES_BIN/postgres" --version 2>/dev/null | sed -n 's/^postgres (PostgreSQL) \([^ ]*\).*/\1/p'; }
pg_own() { # dir : as root, hand the dir (recursively) to the PostgreSQL user unless it already owns it
    ((EUID == 0)) || return 0
    local uid
    uid="$(id -u "$POSTGRES_RUN_AS")"
    [[ "$(stat -c %u "$1")" == "$uid" ]] || chown -R "$POSTGRES_RUN_AS:$(id -g "$POSTGRES_RUN_AS")" "$1"
}

# FerretDB: build stack/ferretdb (embedding main module) with Go into the cache;
# the directory name carries a hash of the sources so a change rebuilds.
ferret_patches() { compgen -G "$FERRET_SRC/patches/*.patch" | LC_ALL=C sort || true; }
ferret_bin_path() {
    local files
    mapfile -t files < <(ferret_patches)
    echo "$CACHE_DIR/ferretdb-$FERRETDB_VERSION-$(sha_of "$FERRET_SRC/main.go" "$FERRET_SRC/go.mod" "$FERRET_SRC/go.sum" "${files[@]}")/ferretdb"
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
    # -buildvcs=false: no git stamping; ferretdb_no_sqlite: only the PostgreSQL backend is compiled in.
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
        ferret_patches >"$work/patches"
        while read -r p; do
            echo "applying ${p#"$ROOT"/}"
            patch -d "$work/FerretDB" -p1 --forward --batch <"$p"
        done <"$work/patches"
        cp main.go go.mod go.sum "$work/main/"
        cd "$work/main"
        "$go" mod edit -replace "github.com/FerretDB/FerretDB=../FerretDB"
        CGO_ENABLED=0 "$go" build -mod=readonly -buildvcs=false -trimpath \
            -tags ferretdb_no_sqlite -ldflags='-s -w' -o "$tmp" .
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

# A new cluster is made in postgres-data.init and renamed when complete (initdb, then the database
# FerretDB uses, created in single-user mode), so a half-made cluster is never started.
init_postgres() {
    local tmp="$PG_DATA.init" out
    pg_prepare_user
    say "postgres: initdb in ${PG_DATA#"$ROOT"/}"
    rm -rf "$tmp"
    mkdir -m 700 "$tmp"
    pg_own "$tmp"
    printf '\n===== scripts/stack.sh: initdb at %s =====\n' "$(date '+%F %T')" >>"$PG_LOG"
    # --no-sync: nothing here survives a machine crash anyway (fsync=off)
    if ! (cd "$tmp" && as_pg "$POSTGRES_BIN/initdb" -D "$tmp" -U "$PG_SUPERUSER" -E UTF8 --locale=C \
        --auth=trust --no-sync --no-instructions) </dev/null >>"$PG_LOG" 2>&1; then
        show_log "$PG_LOG"
        die "postgres: initdb failed"
    fi
    out="$( (cd "$tmp" && as_pg "$POSTGRES_BIN/postgres" --single -D "$tmp" "${PG_OPTS[@]}" postgres) \
        <<<"CREATE DATABASE $PG_DATABASE;" 2>&1)" || true
    printf '%s\n' "$out" >>"$PG_LOG"
    if [[ "$out" == *ERROR* || "$out" == *FATAL* ]]; then
        show_log "$PG_LOG"
        die "postgres: CREATE DATABASE $PG_DATABASE failed"
    fi
    mv "$tmp" "$PG_DATA"
}

start_postgres() {
    local pid
    pg_prepare_user
    [[ -f "$PG_DATA/PG_VERSION" ]] || init_postgres
    pg_own "$PG_DATA"
    # After a SIGKILL the lock file stays; PostgreSQL refuses to start if its pid now belongs to another
    # process of the same user. Ours is not running (pid_of said so), so a lock file naming no live
    # postmaster of this data dir is stale.
    if [[ -f "$PG_DATA/postmaster.pid" ]]; then
        local old
        old="$(head -n1 "$PG_DATA/postmaster.pid" | tr -dc '0-9')"
        if [[ -z "$old" ]] || ! tr '\0' ' ' <"/proc/$old/cmdline" 2>/dev/null | grep -qF -- "-D $PG_DATA "; then
            rm -f "$PG_DATA/postmaster.pid"
        fi
    fi
    printf '\n===== scripts/stack.sh: starting PostgreSQL at %s =====\n' "$(date '+%F %T')" >>"$PG_LOG"
    # cd: a working directory the server's user can enter. setsid and setpriv exec, so $! is the postmaster.
    (cd "$PG_DATA" && exec setsid "${PG_RUN[@]}" "$POSTGRES_BIN/postgres" -D "$PG_DATA" -p "$POSTGRES_PORT" "${PG_OPTS[@]}") \
        </dev/null >>"$PG_LOG" 2>&1 9>&- &
    pid=$!
    echo "$pid" >"$PG_PID"
    echo "$POSTGRES_PORT" >"$PID_DIR/postgres.ports"
    say "postgres: started pid $pid ($(pg_version), 127.0.0.1:$POSTGRES_PORT${PG_CAP:+, as $POSTGRES_RUN_AS with $PG_CAP})"
}

start_ferretdb() {
    local bin="$1" pid
    printf '\n===== scripts/stack.sh: starting FerretDB %s at %s =====\n' "$FERRETDB_VERSION" "$(date '+%F %T')" >>"$FERRET_LOG"
    # GC: a CPU profile under load spent a fifth of FerretDB's time marking and sweeping a small heap
    GOGC="${FERRETDB_GOGC:-400}" setsid "$bin" -listen-addr "127.0.0.1:$MONGODB_PORT" -postgresql-url "$FERRETDB_PG_URL" \
        -log-level "${FERRETDB_LOG_LEVEL:-warn}" ${FERRETDB_PPROF_ADDR:+-pprof-addr "$FERRETDB_PPROF_ADDR"} \
        </dev/null >>"$FERRET_LOG" 2>&1 9>&- &
    pid=$!
    echo "$pid" >"$FERRET_PID"
    echo "$MONGODB_PORT" >"$PID_DIR/ferretdb.ports"
    say "ferretdb: started pid $pid ($FERRETDB_VERSION, 127.0.0.1:$MONGODB_PORT, PostgreSQL 127.0.0.1:$POSTGRES_PORT/$PG_DATABASE)"
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

wait_postgres() { # timeout_s: the port, then a real connection (PostgreSQL listens before recovery ends)
    local limit=$(($1 * 10)) i pid
    wait_port postgres "$POSTGRES_PORT" "$PG_LOG" "$1"
    [[ -x "$POSTGRES_BIN/pg_isready" ]] || return 0
    pid="$(tr -dc '0-9' <"$PG_PID")"
    for ((i = 0; i < limit; i++)); do
        "$POSTGRES_BIN/pg_isready" -q -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$PG_SUPERUSER" -d "$PG_DATABASE" -t 2 && return 0
        alive "$pid" || {
            show_log "$PG_LOG"
            die "postgres: process $pid exited during start-up"
        }
        sleep 0.1
    done
    show_log "$PG_LOG"
    die "postgres: not accepting connections after $1 s"
}

wait_bg() { # pid name outfile -> waits for a background install job
    if ! wait "$1"; then
        show_log "$3"
        die "$2 failed (full output: ${3#"$ROOT"/})"
    fi
}

components() { # names... -> prints all components or the names given, validated
    local c
    (($#)) || set -- postgres kafka ferretdb
    for c in "$@"; do
        case "$c" in
        postgres | kafka | ferretdb) ;;
        *) die "unknown component $c (postgres, kafka or ferretdb)" ;;
        esac
    done
    echo "$@"
}

running_on() { # name "ports" -> dies when our process runs with other ports than asked
    [[ ! -f "$PID_DIR/$1.ports" || "$(cat "$PID_DIR/$1.ports")" == "$2" ]] ||
        die "$1: running with other ports ($(cat "$PID_DIR/$1.ports")); run scripts/stack.sh down first"
}

cmd_up() { # [postgres|kafka|ferretdb]...: all by default (ferretdb brings postgres); the round-trip check runs only when kafka and ferretdb are started
    local wanted want_kafka=0 want_ferret=0 want_pg=0
    wanted=" $(components "$@") "
    [[ "$wanted" == *" kafka "* ]] && want_kafka=1
    [[ "$wanted" == *" ferretdb "* ]] && want_ferret=1
    # FerretDB keeps its data in PostgreSQL: starting it starts PostgreSQL too
    if [[ "$wanted" == *" postgres "* ]] || ((want_ferret)); then want_pg=1; fi
    lock
    mkdir -p "$LOG_DIR" "$PID_DIR" "$KAFKA_DATA"
    [[ -n "$PINNED_KAFKA_VERSION" ]] || die "no <kafka.version> in stack/kafka/pom.xml"
    [[ -n "$FERRETDB_VERSION" ]] || die "no github.com/FerretDB/FerretDB requirement in stack/ferretdb/go.mod"

    # kpid/fpid/ppid: the running pid, "" to start it, or "-" when not asked for
    local kpid="-" fpid="-" ppid="-" kjob="" fjob="" fbin
    if ((want_pg)); then
        ppid="$(pid_of postgres)" || ppid=""
        if [[ -n "$ppid" ]]; then
            say "postgres: already running (pid $ppid)"
            running_on postgres "$POSTGRES_PORT"
        else
            check_port_free postgres "$POSTGRES_PORT"
        fi
    fi
    if ((want_kafka)); then
        kpid="$(pid_of kafka)" || kpid=""
        if [[ -n "$kpid" ]]; then
            say "kafka: already running (pid $kpid)"
            running_on kafka "$KAFKA_PORT $KAFKA_CONTROLLER_PORT"
        else
            check_port_free kafka "$KAFKA_PORT"
            check_port_free kafka-controller "$KAFKA_CONTROLLER_PORT"
        fi
    fi
    if ((want_ferret)); then
        fpid="$(pid_of ferretdb)" || fpid=""
        if [[ -n "$fpid" ]]; then
            say "ferretdb: already running (pid $fpid)"
            running_on ferretdb "$MONGODB_PORT"
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

    # PostgreSQL, then Kafka: both start while Go builds.
    if [[ -z "$ppid" ]]; then
        ensure_postgres_bin
        start_postgres
    fi
    if [[ -z "$kpid" ]]; then
        if [[ -n "$kjob" ]]; then
            wait_bg "$kjob" "kafka: Maven fetch" "$LOG_DIR/setup-kafka.log"
            say "kafka: jars ready ($(find "$KAFKA_LIB" -name '*.jar' | wc -l) jars)"
        fi
        start_kafka
    fi
    if ((want_pg)); then
        wait_postgres "$STACK_TIMEOUT"
        say "postgres: accepting connections on 127.0.0.1:$POSTGRES_PORT"
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
        say "up: ports open (not all components started: round-trip check skipped)"
        return 0
    fi
    local py="${STACK_PYTHON:-$ROOT/.venv/bin/python}"
    [[ -x "$py" ]] || command -v "$py" >/dev/null 2>&1 ||
        die "check: no Python at $py (create the project venv, or set STACK_PYTHON to a python with aiokafka and pymongo; STACK_CHECK=0 skips the check)"
    say "check: produce/consume on Kafka and ping/CRUD on FerretDB (timeout ${STACK_TIMEOUT}s)"
    if ! KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" MONGODB_URL="mongodb://127.0.0.1:$MONGODB_PORT" \
        "$py" "$ROOT/scripts/stack_check.py" --timeout "$STACK_TIMEOUT"; then
        pid_of kafka >/dev/null || say "kafka: process is gone"
        pid_of postgres >/dev/null || say "postgres: process is gone"
        pid_of ferretdb >/dev/null || say "ferretdb: process is gone"
        show_log "$KAFKA_LOG"
        show_log "$PG_LOG"
        show_log "$FERRET_LOG"
        die "check failed: servers started but did not answer (logs above; scripts/stack.sh logs)"
    fi
    say "up: ready — KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT MONGODB_URL=mongodb://127.0.0.1:$MONGODB_PORT"
}

cmd_down() { # [postgres|kafka|ferretdb]...: all by default
    local wanted name first=() rest=()
    wanted=" $(components "$@") "
    [[ -d "$STACK_DIR" ]] || {
        say "nothing to stop (no ${STACK_DIR#"$ROOT"/})"
        return 0
    }
    lock
    # FerretDB before PostgreSQL, so it does not see its connections cut
    [[ "$wanted" == *" ferretdb "* ]] && first+=(ferretdb)
    for name in kafka postgres; do
        [[ "$wanted" == *" $name "* ]] && rest+=("$name")
    done
    ((${#first[@]} == 0)) || stop_all "${first[@]}"
    ((${#rest[@]} == 0)) || stop_all "${rest[@]}"
}

cmd_restart() { # postgres|kafka|ferretdb...: stop, then start again on the same data and ports
    (($#)) || die "restart: name a component (postgres, kafka or ferretdb)"
    cmd_down "$@"
    cmd_up "$@"
}

status_line() { # name ports-text version
    local pid ports
    if pid="$(pid_of "$1")"; then
        printf '%-9s running  pid %-7s 127.0.0.1:%s  %s\n' "$1" "$pid" "$2" "$3"
        return 0
    fi
    ports=""
    port_open "${2%% *}" && ports=" (port ${2%% *} is in use by another process)"
    printf '%-9s stopped%s\n' "$1" "$ports"
    return 3
}

cmd_status() {
    local rc=0 kp kcp
    kp="$KAFKA_PORT" kcp="$KAFKA_CONTROLLER_PORT"
    [[ -f "$PID_DIR/kafka.ports" ]] && read -r kp kcp <"$PID_DIR/kafka.ports"
    status_line postgres "$(cat "$PID_DIR/postgres.ports" 2>/dev/null || echo "$POSTGRES_PORT")" \
        "PostgreSQL $(pg_version)" || rc=3
    status_line kafka "$kp (controller :$kcp)" "$KAFKA_VERSION" || rc=3
    status_line ferretdb "$(cat "$PID_DIR/ferretdb.ports" 2>/dev/null || echo "$MONGODB_PORT")" "$FERRETDB_VERSION" || rc=3
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
    for a in "$PG_LOG" "$KAFKA_LOG" "$FERRET_LOG"; do [[ -f "$a" ]] && files+=("$a"); done
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
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

case "${1:-}" in
up | start)
    [[ "$1" == up ]] || (($# > 1)) || die "start: name a component (postgres, kafka or ferretdb), or use up"
    shift
    cmd_up "$@"
    ;;
down | stop)
    [[ "$1" == down ]] || (($# > 1)) || die "stop: name a component (postgres, kafka or ferretdb), or use down"
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
