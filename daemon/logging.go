package daemon

import (
	"fmt"
	"io"
	"log/slog"
	"os"
)

// levelIO is Core Lightning's "io" level, below debug (config.LevelIO).
const levelIO = slog.LevelDebug - 4

// OpenLogs builds the daemon's logger writing to each file ("-" is
// standard output; none means standard output). The returned closer closes
// the files.
func OpenLogs(files []string, level slog.Level) (*slog.Logger, func(), error) {
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
	handler := slog.NewTextHandler(io.MultiWriter(writers...), &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.LevelKey && a.Value.Any() == levelIO {
				a.Value = slog.StringValue("IO")
			}
			return a
		},
	})
	return slog.New(handler), closeAll, nil
}
