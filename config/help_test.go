package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/help.golden")

func TestHelpTextGolden(t *testing.T) {
	got := HelpText("fulmend")
	path := filepath.Join("testdata", "help.golden")
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("help text differs from %s (go test -run HelpTextGolden -update):\n%s", path, got)
	}
}

func TestHelpTextListsEveryOption(t *testing.T) {
	text := HelpText("fulmend")
	for _, opt := range Options() {
		if !strings.Contains(text, "--"+opt.Name) || !strings.Contains(text, opt.Help) {
			t.Errorf("help lacks %q", opt.Name)
		}
		if opt.Default != "" && !strings.Contains(text, "[default: "+opt.Default+"]") {
			t.Errorf("help lacks the default of %q", opt.Name)
		}
	}
}
