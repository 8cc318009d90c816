package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestExtractSample(t *testing.T) {
	markdown, err := os.ReadFile("testdata/sample.md")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := extractFile("99-sample.md", markdown)
	if err != nil {
		t.Fatal(err)
	}
	got, err := writeCSV(rows)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("extracted CSV differs from testdata/sample.csv:\n%s", got)
	}
}

func TestExtractErrors(t *testing.T) {
	tests := []struct {
		name     string
		markdown string
		want     string
	}{
		{"tlv_stream without types", "1. `tlv_stream`: `s`\nsomething else\n", "expected a types: line"},
		{"subtype without data", "1. subtype: `x`\n\n", "expected a data: line"},
		{"comma in a type", "1. type: 1 (`m`)\n2. data:\n   * [`a,b`:`f`]\n", "comma"},
	}
	for _, tc := range tests {
		_, err := extractFile("x.md", []byte(tc.markdown))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}
