// Command fulmend is the Fulmen Lightning node daemon.
//
//	fulmend [--lightning-dir=D] [--network=N] [--OPTION=VALUE...]
//
// Options come from <lightning-dir>/config, <lightning-dir>/<network>/config
// and the command line, with Core Lightning's names (fulmend --help lists
// them). Exit status: 0 after a clean stop, 1 on a configuration or
// start-up error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/fulmen-ln/fulmen/config"
	"github.com/fulmen-ln/fulmen/daemon"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := config.Parse(args, config.SystemEnvironment())
	switch {
	case errors.Is(err, config.ErrHelp):
		fmt.Fprint(stdout, config.HelpText("fulmend"))
		return 0
	case errors.Is(err, config.ErrVersion):
		fmt.Fprintln(stdout, daemon.Version)
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "fulmend: %v\n", err)
		return 1
	}

	if cfg.Daemon && os.Getenv(detachedEnv) == "" {
		if err := detach(cfg); err != nil {
			fmt.Fprintf(stderr, "fulmend: %v\n", err)
			return 1
		}
		return 0
	}

	log, closeLogs, err := daemon.OpenLogs(cfg.LogFiles, cfg.LogLevel, cfg.SubsystemLogLevels)
	if err != nil {
		fmt.Fprintf(stderr, "fulmend: %v\n", err)
		return 1
	}
	defer closeLogs()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := daemon.Run(ctx, daemonConfig(cfg, log)); err != nil {
		log.Error("start-up failed", "err", err)
		fmt.Fprintf(stderr, "fulmend: %v\n", err)
		return 1
	}
	return 0
}
