// Command fulmen-cli talks to a running fulmend over its JSON-RPC socket,
// like Core Lightning's lightning-cli:
//
//	fulmen-cli [--lightning-dir=D] [--network=N] [--rpc-file=F] [-k|-o] [-H] [-q] METHOD [PARAMS...]
//
// Parameters are sent by position, or by name when they look like
// key=value (or with -k). Each parameter that parses as JSON (a number,
// true/false/null, an object or array) is sent as that value, anything
// else as a string.
//
// -q (--qr) also prints the reply's bolt11 invoice as a terminal QR code.
// decode and decodepay work offline, without a daemon.
//
// Exit status, as lightning-cli: 0 success, 1 the daemon returned an error,
// 2 the daemon could not be reached, 3 bad usage.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/fulmen-ln/fulmen/rpc"
)

const (
	exitRPCError   = 1
	exitConnection = 2
	exitUsage      = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are fulmen-cli's own flags.
type options struct {
	lightningDir string
	network      string
	rpcFile      string
	keywords     bool
	ordered      bool
	human        bool
	qr           bool
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, rest, err := parseArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "fulmen-cli: %v\n", err)
		return exitUsage
	}
	if len(rest) == 0 {
		fmt.Fprintln(stderr, "usage: fulmen-cli [--lightning-dir=D] [--network=N] [--rpc-file=F] [-k|-o] [-H] [-q] METHOD [PARAMS...]")
		return exitUsage
	}
	method, rawParams := rest[0], rest[1:]

	if handled, code := runOffline(method, rawParams, opts, stdout, stderr); handled {
		return code
	}

	params, err := buildParams(rawParams, opts)
	if err != nil {
		fmt.Fprintf(stderr, "fulmen-cli: %v\n", err)
		return exitUsage
	}
	socket := socketPath(opts)
	var result json.RawMessage
	err = rpc.NewClient(socket).Call(ctx, method, params, &result)
	var rerr *rpc.Error
	switch {
	case errors.As(err, &rerr):
		out, _ := json.MarshalIndent(rerr, "", "   ")
		fmt.Fprintln(stderr, string(out))
		return exitRPCError
	case err != nil:
		fmt.Fprintf(stderr, "fulmen-cli: cannot reach fulmend at %s (is it running, with this --lightning-dir and --network?): %v\n",
			socket, unwrapAll(err))
		return exitConnection
	}
	if opts.human {
		printHuman(stdout, result)
	} else {
		printJSON(stdout, result)
	}
	if opts.qr {
		if err := printInvoiceQR(stdout, result); err != nil {
			fmt.Fprintf(stderr, "fulmen-cli: %v\n", err)
			return exitUsage
		}
	}
	return 0
}

func unwrapAll(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

func parseArgs(args []string) (options, []string, error) {
	opts := options{}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			return opts, args[i:], nil
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		takeValue := func() (string, error) {
			if hasValue {
				return value, nil
			}
			if i+1 >= len(args) {
				return "", fmt.Errorf("option --%s needs a value", name)
			}
			i++
			return args[i], nil
		}
		var err error
		switch name {
		case "lightning-dir":
			opts.lightningDir, err = takeValue()
		case "network":
			opts.network, err = takeValue()
		case "regtest", "testnet", "signet", "mainnet":
			opts.network = map[string]string{"mainnet": "bitcoin"}[name]
			if opts.network == "" {
				opts.network = name
			}
		case "rpc-file":
			opts.rpcFile, err = takeValue()
		case "k", "keywords":
			opts.keywords = true
		case "o", "order":
			opts.ordered = true
		case "H", "human-readable":
			opts.human = true
		case "q", "qr":
			opts.qr = true
		case "J", "json":
			opts.human = false
		default:
			return opts, nil, fmt.Errorf("unknown option %s", arg)
		}
		if err != nil {
			return opts, nil, err
		}
	}
	return opts, nil, nil
}

// socketPath resolves the RPC socket like lightning-cli: --rpc-file if
// given (relative to the network directory), else
// <lightning-dir>/<network>/lightning-rpc, where the network comes from
// --network or the lightning-dir's config file.
func socketPath(opts options) string {
	dir := opts.lightningDir
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".fulmen")
	}
	network := opts.network
	if network == "" {
		network = networkFromConfig(filepath.Join(dir, "config"))
	}
	netDir := filepath.Join(dir, network)
	if opts.rpcFile != "" {
		if filepath.IsAbs(opts.rpcFile) {
			return opts.rpcFile
		}
		return filepath.Join(netDir, opts.rpcFile)
	}
	return filepath.Join(netDir, "lightning-rpc")
}

// networkFromConfig reads network= from the config file; "bitcoin" if
// absent.
func networkFromConfig(path string) string {
	network := "bitcoin"
	data, err := os.ReadFile(path)
	if err != nil {
		return network
	}
	for _, line := range strings.Split(string(data), "\n") {
		key, value, ok := strings.Cut(strings.TrimSpace(line), "=")
		switch {
		case ok && strings.TrimSpace(key) == "network":
			network = strings.TrimSpace(value)
		case !ok && (line == "regtest" || line == "testnet" || line == "signet"):
			network = line
		}
	}
	if network == "mainnet" {
		network = "bitcoin"
	}
	return network
}

// buildParams turns command-line words into positional or named params.
func buildParams(words []string, opts options) (any, error) {
	named := opts.keywords
	if !opts.keywords && !opts.ordered && len(words) > 0 && strings.Contains(words[0], "=") {
		named = true
	}
	if named {
		m := make(map[string]json.RawMessage, len(words))
		for _, w := range words {
			key, value, ok := strings.Cut(w, "=")
			if !ok {
				return nil, fmt.Errorf("parameter %q is not key=value", w)
			}
			m[key] = jsonValue(value)
		}
		return m, nil
	}
	list := make([]json.RawMessage, len(words))
	for i, w := range words {
		list[i] = jsonValue(w)
	}
	return list, nil
}

// jsonValue sends a word as JSON if it is a JSON literal, else as a string.
func jsonValue(word string) json.RawMessage {
	trimmed := strings.TrimSpace(word)
	if trimmed != "" && json.Valid([]byte(trimmed)) && !strings.HasPrefix(trimmed, `"`) {
		return json.RawMessage(trimmed)
	}
	if strings.HasPrefix(trimmed, `"`) && json.Valid([]byte(trimmed)) {
		return json.RawMessage(trimmed)
	}
	quoted, _ := json.Marshal(word)
	return quoted
}
