// Command fulmen-demo brings up a local demo network and replays the first
// sale made with Fulmen: a btcd regtest chain (installed at a pinned version
// on first use) and two Fulmen nodes, alice and carol, each in its own
// directory; alice opens a channel to carol, carol opens her cat store
// (cmd/catstore, the example server of package paywall), and alice buys the
// ASCII cat: she visits the shop, takes the invoice, pays it over her
// JSON-RPC socket and follows the content link. Each step is printed with
// the command a user would type. Then it prints how to try it by hand and
// keeps everything running until interrupted (Ctrl-C), when it stops what it
// started, by pid.
//
//	go run ./cmd/fulmen-demo [-dir DIR] [-exit]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/fulmen-ln/fulmen/devnet"
	"github.com/fulmen-ln/fulmen/regtest"
)

func main() {
	dir := flag.String("dir", "", "directory for the demo's chain, nodes and store (default: a new temporary directory)")
	exitAfterPurchase := flag.Bool("exit", false, "stop everything once the cat is bought (for scripted checks)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	_, err := run(ctx, os.Stdout, *dir, *exitAfterPurchase)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "fulmen-demo: %v\n", err)
		os.Exit(1)
	}
}

// demo is one run: where it prints, and what it started.
type demo struct {
	out          io.Writer
	dir          string
	net          *devnet.Network
	alice, carol *devnet.Node
	store        *devnet.Store
}

// step prints what happens now, with the time.
func (d *demo) step(format string, args ...any) {
	fmt.Fprintf(d.out, "[%s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// detail prints an indented line under a step: a command, a URL, a reply.
func (d *demo) detail(format string, args ...any) {
	fmt.Fprintf(d.out, "           %s\n", fmt.Sprintf(format, args...))
}

// run brings the network up, opens the store, has alice buy the cat, and
// then waits for ctx to end (at once with exitAfterPurchase) before stopping
// everything. It returns what the purchase saw.
func run(ctx context.Context, out io.Writer, dir string, exitAfterPurchase bool) (purchase, error) {
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "fulmen-demo-"); err != nil {
			return purchase{}, err
		}
	}
	dir, _ = filepath.Abs(dir)
	d := &demo{out: out, dir: dir}

	d.step("building fulmend, fulmen-cli and catstore, installing btcd %s if needed (first run: about a minute)", regtest.BtcdVersion)
	var err error
	if d.net, err = devnet.NewNetwork(ctx, dir, filepath.Join(dir, "bin")); err != nil {
		return purchase{}, err
	}
	defer func() {
		d.step("stopping the store, the nodes and the chain")
		if d.store != nil {
			d.store.Stop(context.Background())
		}
		d.net.Close(context.Background())
	}()
	height, _ := d.net.Chain.Height(ctx)
	d.step("btcd regtest chain running (RPC %s), %d blocks mined", d.net.Chain.RPC().Host, height)

	if err := d.startNodes(ctx); err != nil {
		return purchase{}, err
	}
	carolID, err := nodeID(ctx, d.carol)
	if err != nil {
		return purchase{}, err
	}
	if err := d.alice.Call(ctx, "connect", []any{carolID + "@" + d.carol.P2PAddress}, nil); err != nil {
		return purchase{}, fmt.Errorf("alice connecting to carol: %w", err)
	}
	d.step("alice connected to carol at %s (Noise_XK transport, init exchanged)", d.carol.P2PAddress)
	d.detail("$ %s connect %s@%s", d.alice.CLI(), carolID, d.carol.P2PAddress)

	if err := d.openChannel(ctx, carolID); err != nil {
		return purchase{}, err
	}
	if err := d.openStore(ctx); err != nil {
		return purchase{}, err
	}
	bought, err := d.buyTheCat(ctx)
	if err != nil {
		return bought, err
	}
	d.printInstructions()
	if exitAfterPurchase {
		return bought, nil
	}
	<-ctx.Done()
	return bought, nil
}

// startNodes starts alice and carol.
func (d *demo) startNodes(ctx context.Context) error {
	for _, name := range []string{"alice", "carol"} {
		node, err := d.net.AddNode(ctx, name, devnet.NodeOptions{})
		if err != nil {
			return err
		}
		id, err := nodeID(ctx, node)
		if err != nil {
			return err
		}
		d.step("%s is up: node id %s", name, id)
	}
	d.alice, d.carol = d.net.Nodes()[0], d.net.Nodes()[1]
	return nil
}

func nodeID(ctx context.Context, node *devnet.Node) (string, error) {
	var info struct {
		ID string `json:"id"`
	}
	if err := node.Call(ctx, "getinfo", nil, &info); err != nil {
		return "", fmt.Errorf("%s getinfo: %w", node.Name, err)
	}
	return info.ID, nil
}

// openChannel funds alice's wallet from the chain's mining key and opens a
// channel from alice to carol, mined to lock-in.
func (d *demo) openChannel(ctx context.Context, carolID string) error {
	var addr map[string]string
	if err := d.alice.Call(ctx, "newaddr", []any{"bech32"}, &addr); err != nil {
		return err
	}
	if _, err := d.net.Fund(ctx, addr["bech32"], 2_000_000); err != nil {
		return fmt.Errorf("funding alice: %w", err)
	}
	if _, err := d.net.Mine(ctx, 1); err != nil {
		return err
	}
	d.step("paid 2,000,000 sat to alice's wallet (%s) and mined a block", addr["bech32"])
	var opened struct {
		TxID string `json:"txid"`
	}
	params := map[string]any{"id": carolID, "amount": 1_000_000, "feerate": "2000perkw"}
	for attempt := 0; ; attempt++ { // the wallet sees the block within a poll interval
		err := d.alice.Call(ctx, "fundchannel", params, &opened)
		if err == nil {
			break
		}
		if attempt == 50 {
			return fmt.Errorf("alice fundchannel: %w", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	d.step("alice opened a 1,000,000 sat channel to carol: funding tx %s", opened.TxID)
	d.detail("$ %s fundchannel %s 1000000 2000perkw", d.alice.CLI(), carolID)
	if _, err := d.net.Mine(ctx, 3); err != nil {
		return err
	}
	for attempt := 0; attempt < 100; attempt++ {
		var reply struct {
			Channels []struct {
				State          string `json:"state"`
				ShortChannelID string `json:"short_channel_id"`
			} `json:"channels"`
		}
		if err := d.alice.Call(ctx, "listpeerchannels", nil, &reply); err != nil {
			return err
		}
		if len(reply.Channels) == 1 && reply.Channels[0].State == "CHANNELD_NORMAL" {
			d.step("mined 3 blocks: the channel %s is CHANNELD_NORMAL", reply.Channels[0].ShortChannelID)
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("the channel did not reach CHANNELD_NORMAL")
}

// openStore starts carol's cat store on a free loopback port.
func (d *demo) openStore(ctx context.Context) error {
	var err error
	if d.store, err = d.net.StartStore(ctx, d.carol, "catstore"); err != nil {
		return err
	}
	d.step("carol's cat store is open at %s/ (catstore, pid %d, log %s)", d.store.URL, d.store.Pid(), d.store.LogPath)
	d.detail("$ %s --lightning-dir=%s   # what runs it", filepath.Join(d.dir, "bin", "catstore"), d.carol.LightningDir)
	return nil
}

// printInstructions tells how to buy another cat by hand.
func (d *demo) printInstructions() {
	w := d.out
	alice := d.alice.CLI()
	fmt.Fprintln(w)
	fmt.Fprintln(w, "The demo network is running. Buy a cat yourself:")
	fmt.Fprintf(w, "  in a browser: open %s/ and choose the cat; the page shows an invoice and its QR code.\n", d.store.URL)
	fmt.Fprintln(w, "  pay it from alice (paste the invoice text); the page then offers the cat's link:")
	fmt.Fprintf(w, "    %s pay <invoice>\n", alice)
	fmt.Fprintln(w, "  or with curl only:")
	fmt.Fprintf(w, "    curl -si %s | grep -i ^location   # a new invoice: /invoice/cat-<ref>\n", d.store.ShopURL)
	fmt.Fprintf(w, "    curl -s %s/invoice/cat-<ref>/status  # its bolt11 and status (JSON)\n", d.store.URL)
	fmt.Fprintf(w, "    %s pay <bolt11>\n", alice)
	fmt.Fprintf(w, "    curl -s %s/content/cat-<ref>         # the cat once paid (402 before)\n", d.store.URL)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Talk to the nodes:")
	for _, node := range d.net.Nodes() {
		fmt.Fprintf(w, "  %s getinfo\n", node.CLI())
	}
	fmt.Fprintf(w, "  %s listpeerchannels\n", alice)
	fmt.Fprintf(w, "  %s listpays\n", alice)
	fmt.Fprintf(w, "  %s listinvoices     # the store's invoices, labelled catstore-cat-<ref>\n", d.carol.CLI())
	fmt.Fprintf(w, "  %s -q invoice 10000sat my-label \"a description\"   # an invoice with its QR code\n", d.carol.CLI())
	fmt.Fprintf(w, "Logs: %s/<node>/log, %s   Data: %s\n", d.dir, d.store.LogPath, d.dir)
	fmt.Fprintln(w, "Press Ctrl-C to stop everything.")
}
