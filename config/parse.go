package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Environment is everything Parse needs from outside its arguments.
type Environment struct {
	// Home replaces a leading "~/" in paths and makes the default
	// lightning-dir ~/.fulmen. When empty, "~/" is dropped, so paths are
	// relative to the working directory (as Core Lightning does without
	// $HOME).
	Home string
	// WorkingDir makes a relative lightning-dir or conf absolute. When
	// empty they stay relative.
	WorkingDir string
	// ReadFile reads a config file. A missing file must give an error
	// matching fs.ErrNotExist. Nil means no file exists.
	ReadFile func(path string) ([]byte, error)
}

// SystemEnvironment reads the real home directory, working directory and
// files. Lookup failures leave the field empty.
func SystemEnvironment() Environment {
	home, _ := os.UserHomeDir()
	wd, _ := os.Getwd()
	return Environment{Home: home, WorkingDir: wd, ReadFile: os.ReadFile}
}

// Default returns the configuration with every option at its default, as
// Parse would return it for no arguments and no files.
func Default(env Environment) *Config {
	c := defaults(optionTable(), env)
	c.LightningDir = absolute(c.LightningDir, env)
	c.finish()
	return c
}

// Parse reads the command line (arguments without the program name) and
// the config files it leads to, as Core Lightning does:
//
//  1. the command line's conf, lightning-dir and network settings;
//  2. with --conf, only that file (which must exist); otherwise
//     <lightning-dir>/config, whose network setting chooses
//     <lightning-dir>/<network>/config (each read only if present);
//  3. every setting in the order files then command line, so the command
//     line overrides files and the network file overrides the base file;
//     repeatable options accumulate.
//
// It returns ErrHelp or ErrVersion (unwrapped) when asked for those, and
// otherwise a validated Config or an *Error.
func Parse(args []string, env Environment) (*Config, error) {
	table := optionTable()
	cmdline, err := readArgs(table, args)
	if err != nil {
		return nil, err
	}
	early := defaults(table, env)
	if err := apply(early, cmdline, env, true); err != nil {
		return nil, err
	}
	var files [][]setting
	if early.ConfigFile != "" {
		path := absolute(early.ConfigFile, env)
		conf, err := readConfigFile(table, env, path, fromExplicitFile, true)
		if err != nil {
			return nil, err
		}
		files = append(files, conf)
	} else {
		dir := absolute(early.LightningDir, env)
		base, err := readConfigFile(table, env, filepath.Join(dir, "config"), fromBaseFile, false)
		if err != nil {
			return nil, err
		}
		// The base file may choose the network, and the command line
		// overrides it: both decide which network file to read.
		if err := apply(early, base, env, true); err != nil {
			return nil, err
		}
		if err := apply(early, cmdline, env, true); err != nil {
			return nil, err
		}
		netPath := filepath.Join(dir, string(early.Network), "config")
		network, err := readConfigFile(table, env, netPath, fromNetworkFile, false)
		if err != nil {
			return nil, err
		}
		files = append(files, base, network)
	}
	c := defaults(table, env)
	for _, settings := range append(files, cmdline) {
		if err := apply(c, settings, env, false); err != nil {
			return nil, err
		}
	}
	c.LightningDir = absolute(c.LightningDir, env)
	if c.ConfigFile != "" {
		c.ConfigFile = absolute(c.ConfigFile, env)
	}
	c.finish()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// ParseFile parses one config file's text as if it were named by --conf,
// with no command line and no home directory, and returns the validated
// result. It does no I/O.
func ParseFile(name string, r io.Reader) (*Config, error) {
	table := optionTable()
	settings, err := readSettings(table, name, r, fromExplicitFile)
	if err != nil {
		return nil, err
	}
	c := defaults(table, Environment{})
	if err := apply(c, settings, Environment{}, false); err != nil {
		return nil, err
	}
	c.finish()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func readConfigFile(table []Option, env Environment, path string, from source, mustExist bool) ([]setting, error) {
	var data []byte
	err := fs.ErrNotExist
	if env.ReadFile != nil {
		data, err = env.ReadFile(path)
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !mustExist {
			return nil, nil
		}
		return nil, &Error{File: path, Err: fmt.Errorf("%w: %v", ErrFile, err)}
	}
	return readSettings(table, path, bytes.NewReader(data), from)
}

// defaults returns a Config holding every option's default value.
func defaults(table []Option, env Environment) *Config {
	c := &Config{}
	for i := range table {
		opt := &table[i]
		if opt.Default == "" {
			continue
		}
		if err := opt.set(c, expandValue(opt, opt.Default, env)); err != nil {
			panic(fmt.Sprintf("config: default of %s is invalid: %v", opt.Name, err))
		}
	}
	return c
}

// apply sets each setting on c in order; with earlyOnly it skips options
// that do not decide which files to read.
func apply(c *Config, settings []setting, env Environment, earlyOnly bool) error {
	for _, s := range settings {
		if earlyOnly && !s.option.Early {
			continue
		}
		if !s.option.permits(s.from) {
			return s.errorf(fmt.Errorf("%w in %s", ErrNotPermitted, describe(s.from)))
		}
		value := s.value
		if s.option.Kind == KindBool && !s.hasValue {
			value = "true"
		}
		if err := s.option.set(c, expandValue(s.option, value, env)); err != nil {
			return s.errorf(err)
		}
	}
	return nil
}

func describe(from source) string {
	switch from {
	case fromCommandLine:
		return "the command line"
	case fromExplicitFile:
		return "a --conf file"
	case fromBaseFile:
		return "the base config file"
	}
	return "a network config file"
}

// expandValue replaces a leading "~/" in path options.
func expandValue(opt *Option, value string, env Environment) string {
	if opt.Kind != KindPath {
		return value
	}
	switch {
	case value == "~":
		if env.Home == "" {
			return "."
		}
		return env.Home
	case strings.HasPrefix(value, "~/"):
		if env.Home == "" {
			return value[2:]
		}
		return filepath.Join(env.Home, value[2:])
	}
	return value
}

// absolute joins a relative path to the working directory, when known.
func absolute(path string, env Environment) string {
	if filepath.IsAbs(path) || env.WorkingDir == "" {
		return path
	}
	return filepath.Join(env.WorkingDir, path)
}
