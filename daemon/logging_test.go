package daemon

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fulmen-ln/fulmen/config"
)

func TestPerSubsystemLogLevels(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	log, closeLogs, err := OpenLogs([]string{path}, slog.LevelInfo,
		[]config.SubsystemLogLevel{{Subsystem: "peer", Level: slog.LevelDebug}, {Subsystem: "rpc", Level: slog.LevelError}})
	if err != nil {
		t.Fatal(err)
	}
	log.Debug("root debug hidden")
	log.Info("root info shown")
	log.With("subsystem", "peer").Debug("peer debug shown")
	log.With("subsystem", "rpc").Warn("rpc warn hidden")
	log.With("subsystem", "rpc").Error("rpc error shown")
	log.With("subsystem", "wallet").Debug("wallet debug hidden")
	log.Log(nil, levelIO, "io hidden")
	closeLogs()
	data, _ := os.ReadFile(path)
	text := string(data)
	for _, want := range []string{"root info shown", "peer debug shown", "rpc error shown"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	if strings.Contains(text, "hidden") {
		t.Errorf("a filtered record was written:\n%s", text)
	}
}
