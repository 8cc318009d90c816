package rpc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/fulmen-ln/fulmen/lnwire"
)

// Params are a request's parameters bound to the method's parameter names,
// whether they came by position or by name. Absent and null are the same.
type Params struct {
	values map[string]json.RawMessage
}

// NewParams binds raw request params (array, object, or absent) to the
// method's parameter list, with Core Lightning's error messages.
func NewParams(spec []Param, raw json.RawMessage) (Params, error) {
	p := Params{values: make(map[string]json.RawMessage)}
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || bytes.Equal(raw, []byte("null")):
	case raw[0] == '[':
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return p, Errorf(CodeInvalidRequest, "Expected array or object for params")
		}
		if len(list) > len(spec) {
			return p, InvalidParams("too many parameters: got %d, expected %d", len(list), len(spec))
		}
		for i, v := range list {
			p.values[spec[i].Name] = v
		}
	case raw[0] == '{':
		var named map[string]json.RawMessage
		if err := json.Unmarshal(raw, &named); err != nil {
			return p, Errorf(CodeInvalidRequest, "Expected array or object for params")
		}
		known := make(map[string]bool, len(spec))
		for _, s := range spec {
			known[s.Name] = true
		}
		for name, v := range named {
			if !known[name] {
				return p, InvalidParams("unknown parameter: %s, this may be caused by a failure to autodetect "+
					"key=value-style parameters. Please try using the -k flag and explicit key=value pairs of parameters.", name)
			}
			p.values[name] = v
		}
	default:
		return p, Errorf(CodeInvalidRequest, "Expected array or object for params")
	}
	for _, s := range spec {
		if s.Required && !p.Has(s.Name) {
			return p, InvalidParams("missing required parameter: %s", s.Name)
		}
	}
	return p, nil
}

// Has reports whether a parameter was given and is not null.
func (p Params) Has(name string) bool {
	v, ok := p.values[name]
	return ok && !bytes.Equal(bytes.TrimSpace(v), []byte("null"))
}

// Raw returns the parameter's JSON, or nil if absent.
func (p Params) Raw(name string) json.RawMessage {
	if !p.Has(name) {
		return nil
	}
	return p.values[name]
}

func bad(name, what string, raw json.RawMessage) *Error {
	return InvalidParams("%s: should be %s: invalid token '%s'", name, what, string(raw))
}

// String reads a required string parameter. Core Lightning accepts a bare
// number where a string (such as a label) is expected; so do we.
func (p Params) String(name string) (string, error) {
	s, err := p.OptionalString(name)
	if err != nil {
		return "", err
	}
	if s == nil {
		return "", InvalidParams("missing required parameter: %s", name)
	}
	return *s, nil
}

// OptionalString reads a string parameter; nil when absent.
func (p Params) OptionalString(name string) (*string, error) {
	raw := p.Raw(name)
	if raw == nil {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return &s, nil
	}
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&n); err == nil {
		s := n.String()
		return &s, nil
	}
	return nil, bad(name, "a string", raw)
}

// OptionalUint64 reads a non-negative integer parameter (a JSON number or a
// decimal string); nil when absent.
func (p Params) OptionalUint64(name string) (*uint64, error) {
	raw := p.Raw(name)
	if raw == nil {
		return nil, nil
	}
	text := strings.Trim(string(bytes.TrimSpace(raw)), `"`)
	v, err := strconv.ParseUint(text, 10, 64)
	if err != nil {
		return nil, bad(name, "an unsigned 64 bit integer", raw)
	}
	return &v, nil
}

// Uint64 reads a required non-negative integer parameter.
func (p Params) Uint64(name string) (uint64, error) {
	v, err := p.OptionalUint64(name)
	if err != nil {
		return 0, err
	}
	if v == nil {
		return 0, InvalidParams("missing required parameter: %s", name)
	}
	return *v, nil
}

// OptionalBool reads a boolean parameter (true/false, or the strings
// "true"/"false" as key=value parameters give them); nil when absent.
func (p Params) OptionalBool(name string) (*bool, error) {
	raw := p.Raw(name)
	if raw == nil {
		return nil, nil
	}
	switch strings.Trim(string(bytes.TrimSpace(raw)), `"`) {
	case "true":
		v := true
		return &v, nil
	case "false":
		v := false
		return &v, nil
	}
	return nil, bad(name, "a boolean", raw)
}

// OptionalMsat reads an amount in Core Lightning's forms: a number of msat,
// "1000msat", "5sat", "0.001btc"; nil when absent.
func (p Params) OptionalMsat(name string) (*lnwire.MilliSatoshi, error) {
	raw := p.Raw(name)
	if raw == nil {
		return nil, nil
	}
	text := strings.Trim(string(bytes.TrimSpace(raw)), `"`)
	v, err := ParseMsat(text)
	if err != nil {
		return nil, bad(name, "a millisatoshi amount", raw)
	}
	return &v, nil
}

// ParseMsat parses "123", "123msat", "123sat", "0.00123btc" (at most 11
// decimals for btc, 3 for sat) into millisatoshis.
func ParseMsat(text string) (lnwire.MilliSatoshi, error) {
	unit, scale := "msat", 0
	switch {
	case strings.HasSuffix(text, "msat"):
		text = strings.TrimSuffix(text, "msat")
	case strings.HasSuffix(text, "sat"):
		text, unit, scale = strings.TrimSuffix(text, "sat"), "sat", 3
	case strings.HasSuffix(text, "btc"):
		text, unit, scale = strings.TrimSuffix(text, "btc"), "btc", 11
	}
	whole, frac, hasFrac := strings.Cut(text, ".")
	if whole == "" || !allDigits(whole) || (hasFrac && (frac == "" || !allDigits(frac))) || len(frac) > scale {
		return 0, fmt.Errorf("rpc: bad %s amount %q", unit, text)
	}
	frac += strings.Repeat("0", scale-len(frac))
	digits := strings.TrimLeft(whole+frac, "0")
	if digits == "" {
		return 0, nil
	}
	v, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("rpc: amount %q out of range", text)
	}
	return lnwire.MilliSatoshi(v), nil
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
