package config

import (
	"strings"
)

// helpColumn is where option descriptions start in HelpText.
const helpColumn = 34

// HelpText is the --help output for program, generated from the option
// table.
func HelpText(program string) string {
	var b strings.Builder
	b.WriteString("Usage: " + program + " [--option[=value]]...\n\n")
	b.WriteString("Every option can also be a line \"option=value\" (or just \"option\" for flags)\n")
	b.WriteString("in <lightning-dir>/config or <lightning-dir>/<network>/config. Lines starting\n")
	b.WriteString("with '#' are comments. The command line overrides the network file, which\n")
	b.WriteString("overrides the base file; options marked (repeatable) accumulate instead.\n")
	b.WriteString("Relative paths (except --conf and --lightning-dir) are under\n")
	b.WriteString("<lightning-dir>/<network>; a leading ~/ is the home directory.\n\n")
	for _, opt := range optionTable() {
		left := "  --" + opt.Name
		switch opt.Kind {
		case KindBool:
			left += "[=" + opt.Arg + "]"
		case KindText, KindPath:
			left += "=" + opt.Arg
		}
		if len(left) < helpColumn-1 {
			left += strings.Repeat(" ", helpColumn-len(left))
		} else {
			left += "\n" + strings.Repeat(" ", helpColumn)
		}
		b.WriteString(left + opt.Help)
		if opt.Default != "" {
			b.WriteString(" [default: " + opt.Default + "]")
		}
		if opt.Repeatable {
			b.WriteString(" (repeatable)")
		}
		b.WriteByte('\n')
	}
	return b.String()
}
