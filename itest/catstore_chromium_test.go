package itest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/remote"
)

// chromiumPath is Debian's chromium, which scripts/install-chromium.sh
// installs.
const chromiumPath = "/usr/bin/chromium"

// skipBrowserEnv names the environment variable that, set to 1, skips the
// tests that need Chromium (as FULMEN_SKIP_LND does for lnd). Without it a
// missing Chromium fails them.
const skipBrowserEnv = "FULMEN_SKIP_BROWSER"

// chromiumFlags run Chromium headless on a machine without a display, a
// sandbox or outbound network: without the background-networking flags it
// keeps trying connections that the closed network refuses.
var chromiumFlags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
}

// requireChromium fails the test when Chromium is missing, unless
// FULMEN_SKIP_BROWSER=1 says to skip it.
func requireChromium(t *testing.T) {
	t.Helper()
	if os.Getenv(skipBrowserEnv) == "1" {
		t.Skipf("%s=1: skipping the headless Chromium test", skipBrowserEnv)
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("this test drives Debian's Chromium (%v): install it with scripts/install-chromium.sh, "+
			"or set %s=1 to skip the browser tests", err, skipBrowserEnv)
	}
}

// chromiumReadyTimeout bounds Chromium's start-up.
const chromiumReadyTimeout = 60 * time.Second

// startChromium runs headless Chromium in a fresh profile directory, on a
// DevTools port of its choosing on loopback, and returns a chromedp context
// attached to it. When the test ends the tabs are closed, Chromium gets
// SIGTERM by pid (SIGKILL to its process group if it lingers) and the
// profile is removed.
func startChromium(t *testing.T) context.Context {
	t.Helper()
	profile, err := os.MkdirTemp("", "fulmen-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	logPath := profile + ".log"
	out, err := os.Create(logPath)
	if err != nil {
		os.RemoveAll(profile)
		t.Fatal(err)
	}
	args := append(append([]string(nil), chromiumFlags...),
		"--user-data-dir="+profile, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank")
	cmd := exec.Command(chromiumPath, args...)
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group, so that renderers left behind can be stopped
	// with it by the group's id; and killed by the kernel if the test
	// process dies.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		out.Close()
		os.RemoveAll(profile)
		os.Remove(logPath)
		t.Fatalf("starting %s: %v", chromiumPath, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		out.Close()
		close(exited)
	}()
	stop := func() {
		stopChromium(cmd, exited)
		removeProfile(profile)
		if !t.Failed() {
			os.Remove(logPath)
		}
	}

	wsURL, err := devToolsURL(profile, exited)
	if err != nil {
		stop()
		log, _ := os.ReadFile(logPath)
		t.Fatalf("chromium did not open its DevTools port: %v\n%s", err, tail(string(log), 30))
	}
	allocCtx, cancelAlloc := remote.NewAllocator(context.Background(), wsURL, remote.NoModifyURL)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		stop()
		if t.Failed() {
			t.Logf("chromium's output is in %s", logPath)
		}
	})
	if err := chromedp.Do(browserCtx); err != nil { // attach and open the first tab
		t.Fatalf("attaching to chromium at %s: %v", wsURL, err)
	}
	return browserCtx
}

// devToolsURL waits for the DevToolsActivePort file Chromium writes in its
// profile (the port, then the browser target's path) and returns the
// browser's WebSocket URL.
func devToolsURL(profile string, exited <-chan struct{}) (string, error) {
	deadline := time.Now().Add(chromiumReadyTimeout)
	for {
		data, err := os.ReadFile(filepath.Join(profile, "DevToolsActivePort"))
		if lines := strings.Split(string(data), "\n"); err == nil && len(lines) >= 2 &&
			lines[0] != "" && strings.HasPrefix(lines[1], "/devtools/browser/") {
			return "ws://127.0.0.1:" + lines[0] + lines[1], nil
		}
		select {
		case <-exited:
			return "", errors.New("chromium exited")
		default:
		}
		if time.Now().After(deadline) {
			return "", errors.New("no DevToolsActivePort after a minute")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stopChromium sends SIGTERM to Chromium's pid and, if it has not exited
// within ten seconds, SIGKILL to its process group; then SIGKILL to whatever
// is left in the group (helpers that outlive the browser process).
func stopChromium(cmd *exec.Cmd, exited <-chan struct{}) {
	pid := cmd.Process.Pid
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		syscall.Kill(-pid, syscall.SIGKILL)
		<-exited
	}
	syscall.Kill(-pid, syscall.SIGKILL) // ESRCH when the group is empty
}

// removeProfile removes Chromium's profile directory; helpers still
// finishing can write into it for a moment, so it retries.
func removeProfile(dir string) {
	for range 50 {
		if err := os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// tail is the last lines of text.
func tail(text string, lines int) string {
	all := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
