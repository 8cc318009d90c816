package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
)

// The markdown shapes the BOLTs use to define wire formats. Lines are matched
// after trimming, so list indentation does not matter.
var (
	typeLine      = regexp.MustCompile("^(?:1\\.|\\*) type: ([0-9]+) \\(`([a-z0-9_]+)`\\)(?: \\(`([^`]+)`\\))?$")
	tlvStreamLine = regexp.MustCompile("^(?:1\\.|\\*) `tlv_stream`: `([a-z0-9_]+)`$")
	subtypeLine   = regexp.MustCompile("^(?:1\\.|\\*) subtype: `([a-z0-9_]+)`$")
	dataStartLine = regexp.MustCompile(`^(?:2\.|\*) data:$`)
	typesLine     = regexp.MustCompile(`^(?:2\.|\*) types:$`)
	dataLine      = regexp.MustCompile("^(?:[0-9]+\\.|\\*) \\[`([^`]+)`:`([a-z0-9_]+)`\\]$")
)

// appendixHeading ends extraction in a file: appendices hold test
// namespaces (BOLT 1's n1 and n2), not protocol definitions.
const appendixHeading = "## Appendix"

// extractFile returns the CSV rows of one BOLT markdown file, starting with
// its "bolt" row (file name and SHA-256 of the contents).
func extractFile(name string, markdown []byte) ([][]string, error) {
	digest := sha256.Sum256(markdown)
	rows := [][]string{{rowBolt, name, hex.EncodeToString(digest[:])}}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(markdown))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), appendixHeading) {
			break
		}
		lines = append(lines, strings.TrimSpace(sc.Text()))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	x := extractor{file: name, lines: lines}
	for x.pos < len(x.lines) {
		if err := x.top(); err != nil {
			return nil, err
		}
	}
	return append(rows, x.rows...), nil
}

type extractor struct {
	file  string
	lines []string
	pos   int
	rows  [][]string
}

func (x *extractor) errorf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", x.file, x.pos+1, fmt.Sprintf(format, args...))
}

func (x *extractor) peek() string {
	if x.pos < len(x.lines) {
		return x.lines[x.pos]
	}
	return ""
}

// top consumes one line outside any definition, or one whole definition.
func (x *extractor) top() error {
	line := x.peek()
	x.pos++
	if m := typeLine.FindStringSubmatch(line); m != nil {
		row := []string{rowMsgType, m[2], m[1]}
		if m[3] != "" {
			row = append(row, m[3])
		}
		x.rows = append(x.rows, row)
		return x.data(rowMsgData, m[2])
	}
	if m := subtypeLine.FindStringSubmatch(line); m != nil {
		x.rows = append(x.rows, []string{rowSubtype, m[1]})
		if !dataStartLine.MatchString(x.peek()) {
			return x.errorf("subtype %s: expected a data: line", m[1])
		}
		return x.data(rowSubtypeData, m[1])
	}
	if m := tlvStreamLine.FindStringSubmatch(line); m != nil {
		return x.stream(m[1])
	}
	return nil
}

// data consumes an optional "data:" line and the field lines after it,
// emitting one row per field: prefix..., field name, type, count.
func (x *extractor) data(kind string, prefix ...string) error {
	if !dataStartLine.MatchString(x.peek()) {
		return nil // a definition without fields
	}
	x.pos++
	for {
		m := dataLine.FindStringSubmatch(x.peek())
		if m == nil {
			return nil
		}
		x.pos++
		typ, count := m[1], ""
		if before, after, found := strings.Cut(m[1], "*"); found {
			count, typ = before, after
		}
		if strings.Contains(typ, ",") || strings.Contains(count, ",") {
			return x.errorf("field %s: comma in type %q", m[2], m[1])
		}
		row := append(append([]string{kind}, prefix...), m[2], typ, count)
		x.rows = append(x.rows, row)
	}
}

// stream consumes the "types:" block of a tlv_stream.
func (x *extractor) stream(name string) error {
	if !typesLine.MatchString(x.peek()) {
		return x.errorf("tlv_stream %s: expected a types: line", name)
	}
	x.pos++
	for {
		m := typeLine.FindStringSubmatch(x.peek())
		if m == nil {
			return nil
		}
		x.pos++
		x.rows = append(x.rows, []string{rowTLVType, name, m[2], m[1]})
		if err := x.data(rowTLVData, name, m[2]); err != nil {
			return err
		}
	}
}
