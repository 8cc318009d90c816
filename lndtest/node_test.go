package lndtest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func validOptions() Options {
	return Options{BtcdRPCHost: "127.0.0.1:18334", BtcdRPCUser: "u", BtcdRPCPass: "p",
		BtcdRPCCert: "/tmp/rpc.cert", Dir: "/tmp/lnd-a"}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Options)
		valid  bool
	}{
		{"complete", func(*Options) {}, true},
		{"no host", func(o *Options) { o.BtcdRPCHost = "" }, false},
		{"host without port", func(o *Options) { o.BtcdRPCHost = "127.0.0.1" }, false},
		{"no user", func(o *Options) { o.BtcdRPCUser = "" }, false},
		{"no password", func(o *Options) { o.BtcdRPCPass = "" }, false},
		{"no cert", func(o *Options) { o.BtcdRPCCert = "" }, false},
		{"no dir", func(o *Options) { o.Dir = "" }, false},
		{"negative start timeout", func(o *Options) { o.StartTimeout = -1 }, false},
		{"negative stop timeout", func(o *Options) { o.StopTimeout = -1 }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := validOptions()
			tc.change(&o)
			err := o.Validate()
			if (err == nil) != tc.valid || (err != nil && !errors.Is(err, ErrInvalidOptions)) {
				t.Fatalf("Validate() = %v, valid %v", err, tc.valid)
			}
		})
	}
}

func TestStartRejectsInvalidOptions(t *testing.T) {
	o := validOptions()
	o.BtcdRPCCert = ""
	if _, err := Start(context.Background(), Binaries{}, o); !errors.Is(err, ErrInvalidOptions) {
		t.Fatalf("Start = %v, want ErrInvalidOptions", err)
	}
}

func TestStartReportsAnLndThatExits(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "lnd")
	script := "#!/bin/sh\necho 'unknown flag --bogus' >&2\nexit 1\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	o := validOptions()
	o.Dir = filepath.Join(dir, "node")
	_, err := Start(context.Background(), Binaries{Lnd: fake}, o)
	if !errors.Is(err, ErrExited) || !strings.Contains(err.Error(), "unknown flag --bogus") {
		t.Fatalf("Start = %v, want ErrExited with lnd's output", err)
	}
}

func TestStartRetriesWhenAPortIsTaken(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "lnd")
	runs := filepath.Join(dir, "runs")
	script := "#!/bin/sh\necho run >> " + runs + "\necho 'listen tcp 127.0.0.1:1: bind: address already in use'\nexit 1\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	o := validOptions()
	o.Dir = filepath.Join(dir, "node")
	_, err := Start(context.Background(), Binaries{Lnd: fake}, o)
	data, _ := os.ReadFile(runs)
	if !errors.Is(err, ErrExited) || strings.Count(string(data), "run") != 3 {
		t.Fatalf("Start = %v after %d runs, want ErrExited after 3", err, strings.Count(string(data), "run"))
	}
}

func TestArgsBindLoopbackOnly(t *testing.T) {
	n := &Node{opts: validOptions(), ports: ports{p2p: 1001, rpc: 1002, rest: 1003}}
	n.opts.Alias = "lnd-a"
	n.opts.ExtraArgs = []string{"--trickledelay=1000"}
	args := n.args()
	for _, want := range []string{
		"--lnddir=/tmp/lnd-a", "--bitcoin.regtest", "--bitcoin.node=btcd",
		"--btcd.rpchost=127.0.0.1:18334", "--btcd.rpcuser=u", "--btcd.rpcpass=p", "--btcd.rpccert=/tmp/rpc.cert",
		"--noseedbackup", "--nobootstrap", "--listen=127.0.0.1:1001", "--externalip=127.0.0.1:1001",
		"--rpclisten=127.0.0.1:1002", "--restlisten=127.0.0.1:1003", "--debuglevel=debug", "--alias=lnd-a",
	} {
		if !slices.Contains(args, want) {
			t.Errorf("args lack %s: %v", want, args)
		}
	}
	if args[len(args)-1] != "--trickledelay=1000" {
		t.Errorf("extra args must come last to override: %v", args)
	}
	for _, a := range args {
		if strings.Contains(a, "listen=") && !strings.Contains(a, "=127.0.0.1:") {
			t.Errorf("%s binds beyond loopback", a)
		}
	}
	if n.P2PAddress() != "127.0.0.1:1001" || n.RPCAddress() != "127.0.0.1:1002" || n.RESTAddress() != "127.0.0.1:1003" {
		t.Errorf("addresses %s %s %s", n.P2PAddress(), n.RPCAddress(), n.RESTAddress())
	}
}

func TestStopOfStoppedNodeDoesNothing(t *testing.T) {
	n := &Node{opts: validOptions()}
	if err := n.Stop(context.Background()); err != nil || n.PID() != 0 {
		t.Fatalf("Stop = %v, pid %d", err, n.PID())
	}
}

func TestLastLines(t *testing.T) {
	tests := []struct {
		text string
		n    int
		want string
	}{
		{"a\nb\nc\n", 2, "b\nc"},
		{"a\nb\nc", 5, "a\nb\nc"},
		{"a\nb\nc\n", 0, ""},
		{"", 3, ""},
		{"\n\n", 3, ""},
		{"only", 1, "only"},
	}
	for _, tc := range tests {
		if got := lastLines(tc.text, tc.n); got != tc.want {
			t.Errorf("lastLines(%q, %d) = %q, want %q", tc.text, tc.n, got, tc.want)
		}
	}
}

func TestLogTail(t *testing.T) {
	n := &Node{opts: Options{Dir: t.TempDir()}}
	if got := n.LogTail(5); !strings.Contains(got, "lnd.log unreadable") {
		t.Errorf("LogTail without a log = %q", got)
	}
	if err := os.MkdirAll(filepath.Dir(n.LogPath()), 0o700); err != nil {
		t.Fatal(err)
	}
	// A log longer than the window tailLines reads.
	var log strings.Builder
	for log.Len() < 300<<10 {
		log.WriteString("2026-01-01 [DBG] PEER: filler line\n")
	}
	log.WriteString("[INF] LTND: second to last\n[INF] LTND: last\n")
	if err := os.WriteFile(n.LogPath(), []byte(log.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := n.LogTail(2); got != "[INF] LTND: second to last\n[INF] LTND: last" {
		t.Errorf("LogTail(2) = %q", got)
	}
}

// FuzzLastLines: the tail has at most n lines and ends the text.
func FuzzLastLines(f *testing.F) {
	f.Add("a\nb\nc\n", 2)
	f.Add("", 1)
	f.Add("\n\n\nx", 1)
	f.Fuzz(func(t *testing.T, text string, n int) {
		got := lastLines(text, n)
		if n <= 0 && got != "" {
			t.Fatalf("lastLines(%q, %d) = %q", text, n, got)
		}
		if got != "" && strings.Count(got, "\n")+1 > n {
			t.Fatalf("lastLines(%q, %d) = %q has too many lines", text, n, got)
		}
		if !strings.HasSuffix(strings.TrimRight(text, "\n"), got) {
			t.Fatalf("lastLines(%q, %d) = %q is not a suffix", text, n, got)
		}
	})
}
