package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/fulmen-ln/fulmen/bolt11"
)

// runOffline handles the methods that need no daemon: decode and
// decodepay of a BOLT 11 invoice (like Core Lightning's bolt11-cli), with
// the same JSON as the RPC. It reports whether it handled the method, and
// the exit code.
func runOffline(method string, params []string, opts options, stdout, stderr io.Writer) (bool, int) {
	if method != "decode" && method != "decodepay" {
		return false, 0
	}
	if len(params) != 1 {
		fmt.Fprintf(stderr, "fulmen-cli: %s takes one invoice\n", method)
		return true, exitUsage
	}
	text := params[0]
	if _, value, ok := strings.Cut(text, "="); ok && (strings.HasPrefix(text, "string=") || strings.HasPrefix(text, "bolt11=")) {
		text = value
	}
	text = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(text), "lightning:"), "LIGHTNING:")
	inv, err := bolt11.Decode(text)
	if err != nil {
		out, _ := json.MarshalIndent(map[string]any{"code": -32602, "message": "Invalid bolt11: " + err.Error()}, "", "   ")
		fmt.Fprintln(stderr, string(out))
		return true, exitRPCError
	}
	result, _ := json.Marshal(bolt11.NewDecoded(inv))
	if opts.human {
		printHuman(stdout, result)
	} else {
		printJSON(stdout, result)
	}
	return true, 0
}
