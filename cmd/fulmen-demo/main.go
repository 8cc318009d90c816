// Command fulmen-demo brings up a local demo network: a btcd regtest chain
// (installed at a pinned version on first use) and two Fulmen nodes, alice
// and carol, each in its own directory. It prints how to talk to them and
// keeps everything running until interrupted (Ctrl-C), then stops what it
// started.
//
//	go run ./cmd/fulmen-demo [-dir DIR]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/regtest"
)

func main() {
	dir := flag.String("dir", "", "directory for the demo's chain and nodes (default: a new temporary directory)")
	exitAfterSetup := flag.Bool("exit", false, "stop everything once the network is up (for scripted checks)")
	flag.Parse()
	if err := run(*dir, *exitAfterSetup); err != nil {
		fmt.Fprintf(os.Stderr, "fulmen-demo: %v\n", err)
		os.Exit(1)
	}
}

func step(format string, args ...any) {
	fmt.Printf("[%s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func run(dir string, exitAfterSetup bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "fulmen-demo-"); err != nil {
			return err
		}
	}
	dir, _ = filepath.Abs(dir)

	step("building fulmend and fulmen-cli, installing btcd %s if needed (first run: about a minute)", regtest.BtcdVersion)
	net, err := devnet.NewNetwork(ctx, dir, filepath.Join(dir, "bin"))
	if err != nil {
		return err
	}
	defer func() {
		step("stopping the nodes and the chain")
		net.Close(context.Background())
	}()
	height, _ := net.Chain.Height(ctx)
	step("btcd regtest chain running (RPC %s), %d blocks mined", net.Chain.RPC().Host, height)

	for _, name := range []string{"alice", "carol"} {
		node, err := net.AddNode(ctx, name, devnet.NodeOptions{})
		if err != nil {
			return err
		}
		var info struct {
			ID string `json:"id"`
		}
		if err := node.Call(ctx, "getinfo", nil, &info); err != nil {
			return err
		}
		step("%s is up: node id %s", name, info.ID)
	}

	alice, carol := net.Nodes()[0], net.Nodes()[1]
	var carolInfo struct {
		ID string `json:"id"`
	}
	if err := carol.Call(ctx, "getinfo", nil, &carolInfo); err != nil {
		return err
	}
	if err := alice.Call(ctx, "connect", []any{carolInfo.ID + "@" + carol.P2PAddress}, nil); err != nil {
		return fmt.Errorf("alice connecting to carol: %w", err)
	}
	step("alice connected to carol at %s (Noise_XK transport, init exchanged)", carol.P2PAddress)

	fmt.Println()
	fmt.Println("The demo network is running. Talk to the nodes with:")
	for _, node := range net.Nodes() {
		fmt.Printf("  %s getinfo\n", node.CLI())
	}
	fmt.Printf("  %s listpeers\n", alice.CLI())
	fmt.Println()
	fmt.Println("For example, have carol create an invoice and decode it:")
	fmt.Printf("  %s -q invoice 10000sat cat-1 \"an ASCII cat\"\n", carol.CLI())
	fmt.Printf("  %s listinvoices\n", carol.CLI())
	fmt.Printf("Logs: %s/<node>/log   Data: %s\n", dir, dir)
	fmt.Println("Press Ctrl-C to stop everything.")

	if exitAfterSetup {
		return nil
	}
	<-ctx.Done()
	return nil
}
