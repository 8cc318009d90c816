package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"rsc.io/qr"
)

// printInvoiceQR prints the reply's bolt11 as a QR code for a terminal,
// upper-cased as BOLT 11 recommends for QR codes (it makes the code
// smaller: alphanumeric mode).
func printInvoiceQR(w io.Writer, result json.RawMessage) error {
	var reply struct {
		Bolt11 string `json:"bolt11"`
	}
	if err := json.Unmarshal(result, &reply); err != nil || reply.Bolt11 == "" {
		return fmt.Errorf("--qr: the reply has no bolt11 to show")
	}
	text, err := terminalQR("LIGHTNING:" + strings.ToUpper(reply.Bolt11))
	if err != nil {
		return err
	}
	fmt.Fprint(w, text)
	return nil
}

// terminalQR renders text as a QR code with half-block characters, two
// module rows per line, light modules drawn, with the 4-module quiet zone
// the QR standard asks for.
func terminalQR(text string) (string, error) {
	code, err := qr.Encode(text, qr.L)
	if err != nil {
		return "", fmt.Errorf("--qr: %w", err)
	}
	const quiet = 4
	light := func(x, y int) bool {
		if x < 0 || y < 0 || x >= code.Size || y >= code.Size {
			return true
		}
		return !code.Black(x, y)
	}
	var b strings.Builder
	for y := -quiet; y < code.Size+quiet; y += 2 {
		for x := -quiet; x < code.Size+quiet; x++ {
			top, bottom := light(x, y), light(x, y+1)
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteString(" ")
			}
		}
		b.WriteString("\n")
	}
	return b.String(), nil
}
