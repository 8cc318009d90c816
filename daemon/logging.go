package daemon

import (
	"context"
	"strings"

	"github.com/fulmen-ln/fulmen/config"

	"fmt"
	"io"
	"log/slog"
	"os"
)

// levelIO is Core Lightning's "io" level, below debug (config.LevelIO).
const levelIO = slog.LevelDebug - 4

// OpenLogs builds the daemon's logger writing to each file ("-" is
// standard output; none means standard output), at level, except for the
// subsystems named in perSubsystem (Core Lightning's log-level=LEVEL:NAME:
// the level applies to every subsystem whose name contains NAME; the last
// matching setting wins). The returned closer closes the files.
func OpenLogs(files []string, level slog.Level, perSubsystem []config.SubsystemLogLevel) (*slog.Logger, func(), error) {
	var writers []io.Writer
	var toClose []*os.File
	closeAll := func() {
		for _, f := range toClose {
			f.Close()
		}
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	for _, name := range files {
		if name == "-" {
			writers = append(writers, os.Stdout)
			continue
		}
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("opening log-file %s: %w", name, err)
		}
		writers = append(writers, f)
		toClose = append(toClose, f)
	}
	lowest := level
	for _, r := range perSubsystem {
		lowest = min(lowest, r.Level)
	}
	handler := slog.NewTextHandler(io.MultiWriter(writers...), &slog.HandlerOptions{
		Level: lowest,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.LevelKey && a.Value.Any() == levelIO {
				a.Value = slog.StringValue("IO")
			}
			return a
		},
	})
	return slog.New(&subsystemLevels{inner: handler, base: level, rules: perSubsystem, level: level}), closeAll, nil
}

// subsystemLevels filters records by the level of the logger's subsystem
// (its "subsystem" attribute, set with Logger.With).
type subsystemLevels struct {
	inner slog.Handler
	base  slog.Level
	rules []config.SubsystemLogLevel
	level slog.Level // for this handler's subsystem
}

func (h *subsystemLevels) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *subsystemLevels) Handle(ctx context.Context, r slog.Record) error {
	return h.inner.Handle(ctx, r)
}

func (h *subsystemLevels) WithAttrs(attrs []slog.Attr) slog.Handler {
	next := *h
	next.inner = h.inner.WithAttrs(attrs)
	for _, a := range attrs {
		if a.Key != "subsystem" {
			continue
		}
		next.level = h.base
		for _, r := range h.rules {
			if strings.Contains(a.Value.String(), r.Subsystem) {
				next.level = r.Level
			}
		}
	}
	return &next
}

func (h *subsystemLevels) WithGroup(name string) slog.Handler {
	next := *h
	next.inner = h.inner.WithGroup(name)
	return &next
}
