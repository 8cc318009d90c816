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

	if err := openChannel(ctx, net, alice, carol, carolInfo.ID); err != nil {
		return err
	}

	fmt.Println()
	fmt.Println("The demo network is running. Talk to the nodes with:")
	for _, node := range net.Nodes() {
		fmt.Printf("  %s getinfo\n", node.CLI())
	}
	fmt.Printf("  %s listpeers\n", alice.CLI())
	fmt.Printf("  %s listpeerchannels\n", alice.CLI())
	fmt.Printf("  %s listfunds\n", alice.CLI())
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

// openChannel funds alice's wallet from the chain's mining key and opens a
// channel from alice to carol, mined to lock-in.
func openChannel(ctx context.Context, net *devnet.Network, alice, carol *devnet.Node, carolID string) error {
	var addr map[string]string
	if err := alice.Call(ctx, "newaddr", []any{"bech32"}, &addr); err != nil {
		return err
	}
	if _, err := net.Fund(ctx, addr["bech32"], 2_000_000); err != nil {
		return fmt.Errorf("funding alice: %w", err)
	}
	if _, err := net.Mine(ctx, 1); err != nil {
		return err
	}
	step("paid 2,000,000 sat to alice's wallet (%s) and mined a block", addr["bech32"])
	var opened struct {
		TxID string `json:"txid"`
	}
	for attempt := 0; ; attempt++ { // the wallet sees the block within a poll interval
		err := alice.Call(ctx, "fundchannel", map[string]any{"id": carolID, "amount": 1_000_000, "feerate": "2000perkw"}, &opened)
		if err == nil {
			break
		}
		if attempt == 50 {
			return fmt.Errorf("alice fundchannel: %w", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	step("alice opened a 1,000,000 sat channel to carol: funding tx %s", opened.TxID)
	if _, err := net.Mine(ctx, 3); err != nil {
		return err
	}
	for attempt := 0; attempt < 100; attempt++ {
		var reply struct {
			Channels []struct {
				State          string `json:"state"`
				ShortChannelID string `json:"short_channel_id"`
			} `json:"channels"`
		}
		if err := alice.Call(ctx, "listpeerchannels", nil, &reply); err != nil {
			return err
		}
		if len(reply.Channels) == 1 && reply.Channels[0].State == "CHANNELD_NORMAL" {
			step("mined 3 blocks: the channel %s is CHANNELD_NORMAL", reply.Channels[0].ShortChannelID)
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("the channel did not reach CHANNELD_NORMAL")
}
