// Command wiregen keeps lnwire's message codecs derived from the BOLTs
// (DESIGN.md §2 principle 4). It has two steps, both run by
// "go generate ./lnwire/...":
//
//	wiregen extract  [-bolts DIR] -out spec.csv
//	wiregen generate -in spec.csv -out messages_gen.go
//
// extract reads the message, tlv_stream and subtype definitions of BOLT 1, 2
// and 7 from the markdown and writes them as CSV; generate turns that CSV
// into Go structs with Encode and Decode methods. The BOLT directory is -bolts,
// else $FULMEN_BOLTS_DIR, else spec/bolts in the module.
//
// It is a build tool: it imports no fulmen package, and nothing imports it.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

// boltFiles are the BOLTs whose wire formats lnwire implements.
var boltFiles = []string{"01-messaging.md", "02-peer-protocol.md", "07-routing-gossip.md"}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "wiregen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: wiregen extract|generate [flags]")
	}
	flags := flag.NewFlagSet("wiregen "+args[0], flag.ContinueOnError)
	out := flags.String("out", "", "output file")
	switch args[0] {
	case "extract":
		bolts := flags.String("bolts", "", "directory holding the BOLT markdown files")
		if err := flags.Parse(args[1:]); err != nil {
			return err
		}
		dir, err := boltsDir(*bolts)
		if err != nil {
			return err
		}
		csv, err := extract(dir)
		if err != nil {
			return err
		}
		return writeIfChanged(*out, csv)
	case "generate":
		in := flags.String("in", "", "spec CSV file")
		if err := flags.Parse(args[1:]); err != nil {
			return err
		}
		f, err := os.Open(*in)
		if err != nil {
			return err
		}
		defer f.Close()
		spec, err := readSpec(f)
		if err != nil {
			return fmt.Errorf("%s: %w", *in, err)
		}
		src, err := generate(spec)
		if err != nil {
			return err
		}
		return writeIfChanged(*out, src)
	}
	return fmt.Errorf("unknown command %q", args[0])
}

// extract returns spec.csv for the BOLT files in dir.
func extract(dir string) ([]byte, error) {
	var rows [][]string
	for _, name := range boltFiles {
		markdown, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		fileRows, err := extractFile(name, markdown)
		if err != nil {
			return nil, err
		}
		rows = append(rows, fileRows...)
	}
	return writeCSV(rows)
}

func boltsDir(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if env := os.Getenv("FULMEN_BOLTS_DIR"); env != "" {
		return env, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "spec", "bolts"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory; pass -bolts or set FULMEN_BOLTS_DIR")
		}
		dir = parent
	}
}

// writeIfChanged writes data to path, or to stdout when path is "", leaving
// an identical file untouched so its timestamp does not change.
func writeIfChanged(path string, data []byte) error {
	if path == "" {
		_, err := os.Stdout.Write(data)
		return err
	}
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return os.WriteFile(path, data, 0o644)
}
