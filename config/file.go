package config

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// setting is one occurrence of an option, kept with where it was found so
// that errors can name the place.
type setting struct {
	from     source
	file     string // "" for the command line
	line     int    // 1-based; 0 for the command line
	option   *Option
	value    string
	hasValue bool
}

func (s setting) errorf(err error) *Error {
	name := ""
	if s.option != nil {
		name = s.option.Name
	}
	return &Error{File: s.file, Line: s.line, CommandLine: s.from == fromCommandLine, Option: name, Err: err}
}

// maxLineLen bounds one config line; longer lines are an error.
const maxLineLen = 64 * 1024

// readSettings splits a config file into settings: one "name" or
// "name=value" per line; blank lines and lines starting with '#' are
// ignored, and whitespace around the line, the name and the value is
// trimmed. Unknown names and a value on a flag (or none on a valued
// option) are errors with the file name and line number.
func readSettings(table []Option, name string, r io.Reader, from source) ([]setting, error) {
	var out []setting
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 0, 4096), maxLineLen)
	line := 0
	for scanner.Scan() {
		line++
		text := strings.TrimSpace(scanner.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		key, value, hasValue := strings.Cut(text, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		s := setting{from: from, file: name, line: line, value: value, hasValue: hasValue}
		if strings.HasPrefix(key, "include ") || key == "include" {
			return nil, s.errorf(fmt.Errorf("%w: include is not supported", ErrUnknownOption))
		}
		if key == "" {
			return nil, s.errorf(fmt.Errorf("%w: no name before '='", ErrUnknownOption))
		}
		s.option = lookup(table, key)
		if s.option == nil {
			return nil, &Error{File: name, Line: line, Option: key, Err: ErrUnknownOption}
		}
		if err := checkSyntax(s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if err := scanner.Err(); err != nil {
		return nil, &Error{File: name, Line: line + 1, Err: fmt.Errorf("%w: %v", ErrFile, err)}
	}
	return out, nil
}

func lookup(table []Option, name string) *Option {
	for i := range table {
		if table[i].Name == name {
			return &table[i]
		}
	}
	return nil
}

// checkSyntax checks a setting's value against its option's kind.
func checkSyntax(s setting) error {
	switch s.option.Kind {
	case KindFlag:
		if s.hasValue {
			return s.errorf(ErrUnexpectedValue)
		}
	case KindText, KindPath:
		if !s.hasValue || s.value == "" {
			return s.errorf(ErrMissingValue)
		}
	}
	return nil
}
