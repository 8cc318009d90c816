package config

import (
	"fmt"
	"log/slog"
	"strings"
)

// Core Lightning's log levels as slog levels. io is below slog's debug;
// unusual is slog's warn and broken is slog's error.
const (
	LevelIO      = slog.LevelDebug - 4
	LevelDebug   = slog.LevelDebug
	LevelInfo    = slog.LevelInfo
	LevelUnusual = slog.LevelWarn
	LevelBroken  = slog.LevelError
)

// SubsystemLogLevel is a log-level=LEVEL:SUBSYSTEM setting: the level
// applies to every subsystem (or node id) whose name contains Subsystem.
type SubsystemLogLevel struct {
	Subsystem string
	Level     slog.Level
}

// ParseLogLevel parses one of Core Lightning's level names: io, debug,
// info, unusual, broken.
func ParseLogLevel(name string) (slog.Level, error) {
	switch name {
	case "io":
		return LevelIO, nil
	case "debug":
		return LevelDebug, nil
	case "info":
		return LevelInfo, nil
	case "unusual":
		return LevelUnusual, nil
	case "broken":
		return LevelBroken, nil
	}
	return 0, fmt.Errorf("%w %q: want io, debug, info, unusual or broken", ErrBadValue, name)
}

// LogLevelName is the inverse of ParseLogLevel; levels between the named
// ones round down to the nearest named level below (or io).
func LogLevelName(level slog.Level) string {
	switch {
	case level >= LevelBroken:
		return "broken"
	case level >= LevelUnusual:
		return "unusual"
	case level >= LevelInfo:
		return "info"
	case level >= LevelDebug:
		return "debug"
	}
	return "io"
}

// parseLogLevelSetting splits LEVEL[:SUBSYSTEM]; subsystem is "" when the
// setting is the default level.
func parseLogLevelSetting(text string) (slog.Level, string, error) {
	name, subsystem, hasSubsystem := strings.Cut(text, ":")
	level, err := ParseLogLevel(name)
	if err != nil {
		return 0, "", err
	}
	if hasSubsystem && subsystem == "" {
		return 0, "", fmt.Errorf("%w %q: empty subsystem after ':'", ErrBadValue, text)
	}
	return level, subsystem, nil
}
