package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

func printJSON(w io.Writer, result json.RawMessage) {
	var buf bytes.Buffer
	if err := json.Indent(&buf, result, "", "   "); err != nil {
		w.Write(result)
		fmt.Fprintln(w)
		return
	}
	fmt.Fprintln(w, buf.String())
}

// printHuman prints an object as key=value lines (nested values as
// compact JSON), and a "help" reply as a readable command list, like
// lightning-cli -H.
func printHuman(w io.Writer, result json.RawMessage) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(result, &obj); err != nil {
		printJSON(w, result)
		return
	}
	if help, ok := obj["help"]; ok && len(obj) == 1 {
		var entries []struct {
			Command     string `json:"command"`
			Description string `json:"description"`
		}
		if json.Unmarshal(help, &entries) == nil {
			for _, e := range entries {
				fmt.Fprintf(w, "%s\n    %s\n\n", e.Command, e.Description)
			}
			return
		}
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := obj[k]
		var s string
		if json.Unmarshal(v, &s) == nil {
			fmt.Fprintf(w, "%s=%s\n", k, s)
			continue
		}
		var compact bytes.Buffer
		json.Compact(&compact, v)
		fmt.Fprintf(w, "%s=%s\n", k, strings.TrimSpace(compact.String()))
	}
}
