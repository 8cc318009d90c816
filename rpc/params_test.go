package rpc

import (
	"encoding/json"
	"testing"

	"github.com/fulmen-ln/fulmen/lnwire"
)

func TestParseMsat(t *testing.T) {
	tests := []struct {
		in   string
		want lnwire.MilliSatoshi
		ok   bool
	}{
		{"0", 0, true},
		{"1000", 1000, true},
		{"1000msat", 1000, true},
		{"100sat", 100000, true},
		{"1.5sat", 1500, true},
		{"0.001sat", 1, true},
		{"0.042btc", 4200000000, true},
		{"1btc", 100000000000, true},
		{"0.00000000001btc", 1, true},
		{"0.000000000001btc", 0, false}, // below a millisatoshi
		{"0.0001sat", 0, false},
		{"1.5msat", 0, false},
		{"-5", 0, false},
		{"", 0, false},
		{"sat", 0, false},
		{"1.sat", 0, false},
		{"abc", 0, false},
		{"99999999999999999999999", 0, false},
		{"1e3", 0, false},
	}
	for _, tc := range tests {
		got, err := ParseMsat(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseMsat(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestOptionalMsatForms(t *testing.T) {
	spec := []Param{{Name: "amount_msat"}}
	for raw, want := range map[string]lnwire.MilliSatoshi{
		`[5000]`: 5000, `["5sat"]`: 5000, `{"amount_msat":"2msat"}`: 2,
	} {
		p, err := NewParams(spec, json.RawMessage(raw))
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.OptionalMsat("amount_msat")
		if err != nil || got == nil || *got != want {
			t.Errorf("%s: got %v, %v", raw, got, err)
		}
	}
}

func FuzzParams(f *testing.F) {
	for _, s := range []string{`[]`, `{}`, `["a",1,true]`, `{"a":"5sat"}`, `null`, `[null]`, `{"a":[1]}`, `"x"`} {
		f.Add(s)
	}
	spec := []Param{{Name: "a", Required: true}, {Name: "b"}, {Name: "c"}}
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := NewParams(spec, json.RawMessage(raw))
		if err != nil {
			return
		}
		for _, name := range []string{"a", "b", "c"} {
			p.OptionalString(name)
			p.OptionalUint64(name)
			p.OptionalBool(name)
			p.OptionalMsat(name)
		}
	})
}

func FuzzParseMsat(f *testing.F) {
	for _, s := range []string{"1", "1sat", "0.1btc", "1.001sat", "msat"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ParseMsat(s)
	})
}
