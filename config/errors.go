package config

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors, wrapped inside *Error; test them with errors.Is.
var (
	// ErrHelp is returned by Parse when --help (or -h) was given: the
	// caller prints HelpText and exits 0.
	ErrHelp = errors.New("help requested")
	// ErrVersion is returned by Parse when --version (or -V) was given:
	// the caller prints its version and exits 0.
	ErrVersion = errors.New("version requested")

	ErrUnknownOption      = errors.New("unknown option")
	ErrMissingValue       = errors.New("needs a value")
	ErrUnexpectedValue    = errors.New("takes no value")
	ErrBadValue           = errors.New("bad value")
	ErrNotPermitted       = errors.New("not permitted")
	ErrUnexpectedArgument = errors.New("unexpected argument")
	ErrInvalid            = errors.New("invalid configuration")
	ErrFile               = errors.New("cannot read config file")
)

// Error reports one problem with one option, and where it was found. Its
// message is a single line, e.g.
//
//	/home/u/.fulmen/config:12: unknown option "colour"
//	--rgb: bad value "red": want 6 hex digits RRGGBB
//	daemon: invalid configuration: needs a log-file other than "-"
type Error struct {
	File        string // config file; "" for the command line or Validate
	Line        int    // 1-based line in File; 0 when not from a file line
	CommandLine bool   // the option came from the command line
	Option      string // option name without dashes; "" if none applies
	Err         error  // wraps one of the sentinels above
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	}
	name := e.Option
	if e.CommandLine && name != "" {
		name = "--" + name
	}
	switch {
	case errors.Is(e.Err, ErrUnknownOption) || errors.Is(e.Err, ErrUnexpectedArgument):
		b.WriteString(e.Err.Error())
		if name != "" {
			b.WriteString(" " + strconv.Quote(name))
		}
	case name != "":
		b.WriteString(name + ": " + e.Err.Error())
	default:
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }
