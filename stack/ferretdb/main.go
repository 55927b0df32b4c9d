// Command ferretdb runs an embedded FerretDB v1 (PostgreSQL backend) for local
// development and tests. scripts/stack.sh builds it into a cache dir and runs it
// against the PostgreSQL it starts (component `postgres`).
//
// Building from this project-owned main module (instead of `go install
// .../cmd/ferretdb`) avoids the upstream command's version.txt panic, and the
// embeddable package keeps telemetry disabled and writes no state file.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	_ "net/http/pprof" // served only with -pprof-addr
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// quietHandler demotes to DEBUG:
//   - FerretDB's dumps of error responses (logged at WARN as "Response header: ..." /
//     "Response message: ..."): drivers send commands FerretDB lacks on every close
//     (endSessions), which would flood the log;
//   - pgx's ERROR trace of a statement that failed on a unique index (SQLSTATE 23505, with
//     ~2 KB of arguments): the client gets it as E11000, and optimistic writers expect it.
type quietHandler struct{ slog.Handler }

func (h quietHandler) Handle(ctx context.Context, r slog.Record) error {
	if (r.Level == slog.LevelWarn &&
		(strings.HasPrefix(r.Message, "Response header:") || strings.HasPrefix(r.Message, "Response message:"))) ||
		(r.Level == slog.LevelError && isDuplicateKeyTrace(r)) {
		r.Level = slog.LevelDebug
		if !h.Handler.Enabled(ctx, r.Level) {
			return nil
		}
	}
	return h.Handler.Handle(ctx, r)
}

// isDuplicateKeyTrace tells whether r is pgx's trace of a statement that failed with unique_violation.
func isDuplicateKeyTrace(r slog.Record) bool {
	if r.Message != "Query" && r.Message != "Exec" && r.Message != "BatchQuery" {
		return false
	}
	dup := false
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "err" && strings.Contains(a.Value.String(), "(SQLSTATE 23505)") {
			dup = true
			return false
		}
		return true
	})
	return dup
}

func (h quietHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quietHandler{h.Handler.WithAttrs(attrs)}
}

func (h quietHandler) WithGroup(name string) slog.Handler {
	return quietHandler{h.Handler.WithGroup(name)}
}

// say prints lifecycle lines whatever the log level.
func say(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "time=%s level=INFO msg=%q\n",
		time.Now().UTC().Format(time.RFC3339Nano), fmt.Sprintf(format, args...))
}

func main() {
	listenAddr := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	postgresqlURL := flag.String("postgresql-url", "postgres://postgres@127.0.0.1:5432/ferretdb",
		"PostgreSQL connection string (https://pkg.go.dev/github.com/jackc/pgx/v5/pgxpool#ParseConfig)")
	logLevel := flag.String("log-level", "info", "log level: debug, info, warn, error")
	pprofAddr := flag.String("pprof-addr", "", "serve Go's /debug/pprof on this address (profiling; off when empty)")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "invalid -log-level %q: %v\n", *logLevel, err)
		os.Exit(2)
	}
	logger := slog.New(quietHandler{slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})})
	slog.SetDefault(logger)

	// Telemetry: ferretdb.New disables and locks it; DO_NOT_TRACK covers any other path.
	_ = os.Setenv("DO_NOT_TRACK", "1")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listenAddr},
		Logger:        logger,
		Handler:       "postgresql",
		PostgreSQLURL: *postgresqlURL,
	})
	if err != nil {
		logger.Error("cannot start FerretDB", "error", err)
		os.Exit(1)
	}

	if *pprofAddr != "" {
		go func() {
			say("pprof on http://%s/debug/pprof/", *pprofAddr)
			if err := http.ListenAndServe(*pprofAddr, nil); err != nil {
				logger.Error("pprof server stopped", "error", err)
			}
		}()
	}

	say("FerretDB listening on %s, postgresql %s, pid %d", *listenAddr, redact(*postgresqlURL), os.Getpid())
	if err = f.Run(ctx); err != nil {
		logger.Error("FerretDB stopped with error", "error", err)
		os.Exit(1)
	}
	say("FerretDB stopped")
}

// redact hides a password in a connection URL before it is logged.
func redact(u string) string {
	if p, err := url.Parse(u); err == nil && p.User != nil {
		if _, ok := p.User.Password(); ok {
			p.User = url.UserPassword(p.User.Username(), "xxxxx")
		}
		return p.String()
	}
	return u
}
