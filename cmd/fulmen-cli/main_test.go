package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fulmen-ln/fulmen/rpc"
)

func TestBuildParams(t *testing.T) {
	tests := []struct {
		words []string
		opts  options
		want  string
	}{
		{[]string{"1000", "lbl", "my description"}, options{}, `[1000,"lbl","my description"]`},
		{[]string{"true", "null", `{"a":1}`, "[1,2]"}, options{}, `[true,null,{"a":1},[1,2]]`},
		{[]string{`"007"`}, options{}, `["007"]`},
		{[]string{"label=abc", "amount_msat=5sat"}, options{}, `{"amount_msat":"5sat","label":"abc"}`},
		{[]string{"a=b"}, options{ordered: true}, `["a=b"]`},
		{[]string{"label=x=y"}, options{keywords: true}, `{"label":"x=y"}`},
	}
	for _, tc := range tests {
		got, err := buildParams(tc.words, tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := json.Marshal(got)
		if string(out) != tc.want {
			t.Errorf("%v: got %s, want %s", tc.words, out, tc.want)
		}
	}
	if _, err := buildParams([]string{"a=1", "plain"}, options{}); err == nil {
		t.Error("mixing key=value and plain words must fail")
	}
}

func TestParseArgs(t *testing.T) {
	opts, rest, err := parseArgs([]string{"--lightning-dir=/x", "--network", "regtest", "-H", "getinfo", "-k"})
	if err != nil {
		t.Fatal(err)
	}
	if opts.lightningDir != "/x" || opts.network != "regtest" || !opts.human || strings.Join(rest, " ") != "getinfo -k" {
		t.Fatalf("got %+v %v", opts, rest)
	}
	if _, _, err := parseArgs([]string{"--bogus", "getinfo"}); err == nil {
		t.Fatal("unknown option must fail")
	}
	if _, _, err := parseArgs([]string{"--network"}); err == nil {
		t.Fatal("missing value must fail")
	}
}

func TestNetworkFromConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	if got := networkFromConfig(path); got != "bitcoin" {
		t.Fatalf("no config: %q", got)
	}
	os.WriteFile(path, []byte("# comment\nalias=x\nnetwork=regtest\n"), 0o600)
	if got := networkFromConfig(path); got != "regtest" {
		t.Fatalf("got %q", got)
	}
}

func TestExitCodes(t *testing.T) {
	dir, err := os.MkdirTemp("", "fulmen-cli-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	netDir := filepath.Join(dir, "regtest")
	os.MkdirAll(netDir, 0o700)
	var stdout, stderr bytes.Buffer
	args := []string{"--lightning-dir", dir, "--network", "regtest"}

	// No daemon: exit 2 with a clear message.
	if code := run(context.Background(), append(args, "getinfo"), &stdout, &stderr); code != exitConnection {
		t.Fatalf("no daemon: exit %d, want %d", code, exitConnection)
	}
	if !strings.Contains(stderr.String(), "cannot reach fulmend") {
		t.Fatalf("stderr %q", stderr.String())
	}

	table := rpc.NewTable()
	table.Add(rpc.Method{Name: "hello", Params: []rpc.Param{{Name: "name", Required: true}},
		Handler: func(_ context.Context, p rpc.Params) (any, error) {
			name, err := p.String("name")
			return map[string]string{"greeting": "hi " + name}, err
		}})
	srv := rpc.NewServer(table, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := srv.ListenUnix(filepath.Join(netDir, "lightning-rpc")); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	stdout.Reset()
	if code := run(context.Background(), append(args, "hello", "bob"), &stdout, &stderr); code != 0 {
		t.Fatalf("hello: exit %d", code)
	}
	if !strings.Contains(stdout.String(), `"greeting": "hi bob"`) {
		t.Fatalf("stdout %q", stdout.String())
	}
	stdout.Reset()
	run(context.Background(), append(args, "-H", "hello", "name=carol"), &stdout, &stderr)
	if strings.TrimSpace(stdout.String()) != "greeting=hi carol" {
		t.Fatalf("-H output %q", stdout.String())
	}
	stderr.Reset()
	if code := run(context.Background(), append(args, "nosuch"), &stdout, &stderr); code != exitRPCError {
		t.Fatalf("unknown method: exit %d", code)
	}
	if !strings.Contains(stderr.String(), "Unknown command 'nosuch'") {
		t.Fatalf("stderr %q", stderr.String())
	}
	if code := run(context.Background(), []string{"--frob", "x"}, &stdout, &stderr); code != exitUsage {
		t.Fatalf("bad option: exit %d", code)
	}
}
