package config

import (
	"errors"
	"testing"
)

func TestCommandLineErrors(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		wantErr error
		message string
	}{
		{"unknown flag", []string{"--colour=red"}, ErrUnknownOption, `unknown option "--colour"`},
		{"unknown flag without value", []string{"--wumbo"}, ErrUnknownOption, `unknown option "--wumbo"`},
		{"single dash", []string{"-network=regtest"}, ErrUnexpectedArgument, `unexpected argument "-network=regtest"`},
		{"positional", []string{"regtest"}, ErrUnexpectedArgument, `unexpected argument "regtest"`},
		{"after double dash", []string{"--", "--alias=x"}, ErrUnexpectedArgument, `unexpected argument "--alias=x"`},
		{"missing value at end", []string{"--alias"}, ErrMissingValue, `--alias: needs a value`},
		{"empty value", []string{"--alias="}, ErrMissingValue, `--alias: needs a value`},
		{"flag with value", []string{"--daemon=true"}, ErrUnexpectedValue, `--daemon: takes no value`},
		{"bad value", []string{"--network=moon"}, ErrBadValue,
			`--network: bad value "moon": want bitcoin (or mainnet), testnet, signet or regtest`},
		{"bad bool", []string{"--allow-deprecated-apis=sure"}, ErrBadValue,
			`--allow-deprecated-apis: bad value "sure": want true, false, yes or no`},
		{"first error wins", []string{"--bogus", "--alias"}, ErrUnknownOption, `unknown option "--bogus"`},
		{"conf is early and checked", []string{"--conf"}, ErrMissingValue, `--conf: needs a value`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.args, testEnv)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err.Error() != tc.message {
				t.Fatalf("message\n got %q\nwant %q", err.Error(), tc.message)
			}
			var e *Error
			if !errors.As(err, &e) || !e.CommandLine {
				t.Fatalf("want a command-line *Error, got %#v", err)
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	cases := []struct {
		args []string
		want error
	}{
		{[]string{"--help"}, ErrHelp},
		{[]string{"-h"}, ErrHelp},
		{[]string{"--version"}, ErrVersion},
		{[]string{"-V"}, ErrVersion},
		// Help wins over errors anywhere, so it is always reachable.
		{[]string{"--network=moon", "--help"}, ErrHelp},
		{[]string{"--bogus", "stray", "--help"}, ErrHelp},
		{[]string{"--version", "--help"}, ErrVersion},
		{[]string{"--help=yes"}, ErrUnexpectedValue},
		// The value of a valued option is not a flag.
		{[]string{"--alias", "--help"}, nil},
		{[]string{"--", "--help"}, ErrUnexpectedArgument},
	}
	for _, tc := range cases {
		_, err := Parse(tc.args, testEnv)
		if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("%q: err = %v, want %v", tc.args, err, tc.want)
		}
	}
}

func TestHelpBeforeFiles(t *testing.T) {
	// A broken config file must not hide --help.
	env := envWith(memFiles{"/home/u/.fulmen/config": "colour=red\n"})
	if _, err := Parse([]string{"--help"}, env); !errors.Is(err, ErrHelp) {
		t.Fatalf("err = %v, want ErrHelp", err)
	}
}

func TestBoolDoesNotTakeNextArgument(t *testing.T) {
	_, err := Parse([]string{"--allow-deprecated-apis", "false"}, testEnv)
	if !errors.Is(err, ErrUnexpectedArgument) {
		t.Fatalf("err = %v, want ErrUnexpectedArgument", err)
	}
	c, err := Parse([]string{"--allow-deprecated-apis=false", "--allow-deprecated-apis"}, testEnv)
	if err != nil || !c.AllowDeprecatedAPIs {
		t.Fatalf("last bool wins: %v %v", c, err)
	}
}

func TestValueMayStartWithDash(t *testing.T) {
	c, err := Parse([]string{"--alias", "-dash-", "--log-file", "-"}, testEnv)
	if err != nil {
		t.Fatal(err)
	}
	if c.Alias != "-dash-" || len(c.LogFiles) != 1 || c.LogFiles[0] != "-" {
		t.Fatalf("alias %q logs %v", c.Alias, c.LogFiles)
	}
}
