package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/fulmen-ln/fulmen/config"
	"github.com/fulmen-ln/fulmen/daemon"
	"github.com/fulmen-ln/fulmen/rpc"
)

// detachedEnv marks the background copy started by --daemon.
const detachedEnv = "FULMEND_DETACHED"

// detach starts this program again in a new session with no terminal, and
// returns once that copy answers on its RPC socket (or has failed).
func detach(cfg *config.Config) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("--daemon: locating fulmend: %w", err)
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer devnull.Close()
	cmd := exec.Command(self, os.Args[1:]...)
	cmd.Env = append(os.Environ(), detachedEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, devnull, devnull
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("--daemon: starting background fulmend: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	client := rpc.NewClient(filepath.Join(cfg.NetworkDir(), daemon.RPCFileName))
	deadline := time.After(90 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := client.Call(ctx, "getinfo", nil, nil)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case err := <-exited:
			return fmt.Errorf("background fulmend exited during start-up (%v): see the log-file", err)
		case <-deadline:
			return fmt.Errorf("background fulmend (pid %d) not answering after 90s: see the log-file", cmd.Process.Pid)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
