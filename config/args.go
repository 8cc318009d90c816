package config

import (
	"fmt"
	"strings"
)

// readArgs turns command-line arguments (without the program name) into
// settings. It accepts --name, --name=value and --name value (the last
// only for options that need a value), plus -h and -V. --help and
// --version anywhere win over other errors, so "fulmend --help" always
// prints help.
func readArgs(table []Option, args []string) ([]setting, error) {
	var (
		out      []setting
		firstErr error
		request  error // ErrHelp or ErrVersion, first one seen
	)
	fail := func(err error) {
		if firstErr == nil {
			firstErr = err
		}
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			for _, rest := range args[i+1:] {
				fail(&Error{CommandLine: true, Err: fmt.Errorf("%w %q", ErrUnexpectedArgument, rest)})
			}
			i = len(args)
			continue
		case arg == "-h":
			arg = "--help"
		case arg == "-V":
			arg = "--version"
		case !strings.HasPrefix(arg, "--") || arg == "--=":
			fail(&Error{CommandLine: true, Err: fmt.Errorf("%w %q", ErrUnexpectedArgument, arg)})
			continue
		}
		name, value, hasValue := strings.Cut(arg[2:], "=")
		opt := lookup(table, name)
		if opt == nil {
			fail(&Error{CommandLine: true, Option: name, Err: ErrUnknownOption})
			continue
		}
		s := setting{from: fromCommandLine, option: opt, value: value, hasValue: hasValue}
		if !hasValue && (opt.Kind == KindText || opt.Kind == KindPath) && i+1 < len(args) {
			i++
			s.value, s.hasValue = args[i], true
		}
		if err := checkSyntax(s); err != nil {
			fail(err)
			continue
		}
		if request == nil && (opt.Name == "help" || opt.Name == "version") {
			request = opt.set(nil, "")
		}
		out = append(out, s)
	}
	if request != nil {
		return nil, request
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}
