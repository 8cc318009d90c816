package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/fulmen-ln/fulmen/lnwire"
	"github.com/fulmen-ln/fulmen/paywall"
	"github.com/fulmen-ln/fulmen/rpc"
)

// Exit statuses.
const (
	exitOK          = 0
	exitUnreachable = 2
	exitUsage       = 3
	exitFailure     = 1
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run serves the store until ctx ends; it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := parseOptions(args, stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	socket := opts.socketPath()
	var info struct {
		ID      string `json:"id"`
		Network string `json:"network"`
	}
	checkCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err = rpc.NewClient(socket).Call(checkCtx, "getinfo", nil, &info)
	cancel()
	if err != nil {
		fmt.Fprintf(stderr, "catstore: cannot reach the node at %s (is it running, with this --lightning-dir and --network?): %v\n",
			socket, err)
		return exitUnreachable
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	pw, err := paywall.New(paywall.Config{
		Backend:         paywall.NewRPCBackend(socket),
		Items:           []paywall.Item{catItem(opts.price)},
		Title:           opts.title,
		LabelPrefix:     "catstore-",
		InvoiceExpiry:   opts.expiry,
		RequirePreimage: opts.requirePreimage,
		Logger:          logger,
	})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	listener, err := net.Listen("tcp", opts.listen)
	if err != nil {
		fmt.Fprintf(stderr, "catstore: %v\n", err)
		return exitFailure
	}
	base := "http://" + listener.Addr().String()
	fmt.Fprintf(stdout, "catstore: selling the cat for %s through node %s (%s)\n", paywall.FormatPrice(opts.price), info.ID, info.Network)
	fmt.Fprintf(stdout, "shop: %s/buy/cat\n", base)
	fmt.Fprintf(stdout, "catalogue: %s/\n", base)

	// Long polls hold requests open: they end with serveCtx at shutdown.
	serveCtx, stopServing := context.WithCancel(context.Background())
	defer stopServing()
	srv := &http.Server{
		Handler:           pw.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return serveCtx },
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(listener) }()
	select {
	case err := <-served:
		fmt.Fprintf(stderr, "catstore: %v\n", err)
		return exitFailure
	case <-ctx.Done():
	}
	stopServing()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		srv.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "catstore: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// catItem is the catalogue: one cat.
func catItem(price lnwire.MilliSatoshi) paywall.Item {
	return paywall.Item{
		ID:          "cat",
		Name:        "An ASCII cat",
		Description: "An ASCII cat from the Fulmen cat store",
		Price:       price,
		Content:     []byte(theCat),
	}
}
