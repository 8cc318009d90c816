package main

import (
	"fmt"
	"strings"
	"time"
)

// reportMeta is what the report says about how it was made.
type reportMeta struct {
	Date         time.Time
	Machine      string
	GoVersion    string
	FulmenCommit string
	LndVersion   string
	// LoadMin and LoadMax are the lowest and highest 1-minute load
	// averages read before and after each line's run.
	LoadMin, LoadMax float64
	Command          string
	Cfg              Config
}

// displayName is how the report names an implementation.
func displayName(impl string) string {
	if impl == implFulmen {
		return "Fulmen"
	}
	return impl
}

// renderReport writes the Markdown tables.
func renderReport(meta reportMeta, impls []implSummary) string {
	var b strings.Builder
	cfg := meta.Cfg
	fmt.Fprintf(&b, "Measured %s on %s; 1-minute load average %.2f–%.2f during the runs. Go %s, Fulmen %s, lnd %s.\n",
		meta.Date.UTC().Format("2006-01-02"), meta.Machine, meta.LoadMin, meta.LoadMax, meta.GoVersion,
		meta.FulmenCommit, meta.LndVersion)
	fmt.Fprintf(&b, "Each figure is the median of %d runs, each on a fresh line A–B–C of %s sat channels; "+
		"%s-sat payments, %d warm-up payments before each case not counted. Command: `%s`.\n\n",
		cfg.Runs, thousands(int64(cfg.ChannelSize)), thousands(int64(cfg.Amount)), cfg.Warmup, meta.Command)
	for _, s := range impls {
		fmt.Fprintf(&b, "- %s: channel type %s; ", displayName(s.Impl), orDash(s.ChannelType))
		var methods []string
		seen := map[int]bool{}
		for _, c := range s.Cases {
			if !seen[c.Spec.Hops] {
				seen[c.Spec.Hops] = true
				methods = append(methods, fmt.Sprintf("%s: %s", map[int]string{1: "direct", 2: "2-hop"}[c.Spec.Hops], c.Method))
			}
		}
		b.WriteString("one payment is " + strings.Join(methods, "; ") + ".\n")
	}
	fulmen, lnd, both := pair(impls)
	var notes []string
	note := func(text string) string {
		notes = append(notes, text)
		return fmt.Sprintf("[%d]", len(notes))
	}

	b.WriteString("\n| case | n |")
	for _, s := range impls {
		fmt.Fprintf(&b, " %s median / p90 / p99 (ms) |", displayName(s.Impl))
	}
	for _, s := range impls {
		fmt.Fprintf(&b, " %s payments/s |", displayName(s.Impl))
	}
	if both {
		b.WriteString(" lnd ÷ Fulmen, median latency | Fulmen ÷ lnd, payments/s |")
	}
	b.WriteString("\n|---|---:|" + strings.Repeat("---:|", 2*len(impls)) + map[bool]string{true: "---:|---:|"}[both] + "\n")
	for i, spec := range cfg.Cases {
		fmt.Fprintf(&b, "| %s | %d |", spec.Name, spec.N)
		for _, s := range impls {
			c := s.Cases[i]
			if !c.ok() {
				fmt.Fprintf(&b, " %s |", missing(c, note))
				continue
			}
			fmt.Fprintf(&b, " %s / %s / %s |", msText(c.Median), msText(c.P90), msText(c.P99))
		}
		for _, s := range impls {
			c := s.Cases[i]
			if !c.ok() {
				b.WriteString(" — |")
				continue
			}
			fmt.Fprintf(&b, " %s |", rateText(c.PerSecond))
		}
		if both {
			f, l := fulmen.Cases[i], lnd.Cases[i]
			if f.ok() && l.ok() {
				fmt.Fprintf(&b, " %s | %s |", ratio(float64(l.Median), float64(f.Median)), ratio(f.PerSecond, l.PerSecond))
			} else {
				b.WriteString(" — | — |")
			}
		}
		b.WriteString("\n")
	}

	b.WriteString("\nCPU time per payment (ms of utime + stime from /proc/<pid>/stat, per node process A / B / C):\n\n| case |")
	for _, s := range impls {
		fmt.Fprintf(&b, " %s A / B / C |", displayName(s.Impl))
	}
	if both {
		b.WriteString(" lnd ÷ Fulmen, A + B + C |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---:|", len(impls)) + map[bool]string{true: "---:|"}[both] + "\n")
	for i, spec := range cfg.Cases {
		fmt.Fprintf(&b, "| %s |", spec.Name)
		for _, s := range impls {
			c := s.Cases[i]
			if !c.ok() {
				b.WriteString(" — |")
				continue
			}
			fmt.Fprintf(&b, " %s / %s / %s |", cpuText(c.CPU[0]), cpuText(c.CPU[1]), cpuText(c.CPU[2]))
		}
		if both {
			f, l := fulmen.Cases[i], lnd.Cases[i]
			if f.ok() && l.ok() {
				fmt.Fprintf(&b, " %s |", ratio(float64(sum(l.CPU)), float64(sum(f.CPU))))
			} else {
				b.WriteString(" — |")
			}
		}
		b.WriteString("\n")
	}

	b.WriteString("\nMemory (VmRSS) and restart of A (stop, then from launch to the first answer of its RPC, " +
		"and to its channel with B active again):\n\n|  |")
	for _, s := range impls {
		fmt.Fprintf(&b, " %s |", displayName(s.Impl))
	}
	if both {
		b.WriteString(" lnd ÷ Fulmen |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---:|", len(impls)) + map[bool]string{true: "---:|"}[both] + "\n")
	rssRow := func(name string, get func(implSummary) [3]uint64) {
		fmt.Fprintf(&b, "| %s |", name)
		for _, s := range impls {
			r := get(s)
			fmt.Fprintf(&b, " %s / %s / %s |", mibText(r[0]), mibText(r[1]), mibText(r[2]))
		}
		if both {
			fmt.Fprintf(&b, " %s |", ratio(float64(sum(get(lnd))), float64(sum(get(fulmen)))))
		}
		b.WriteString("\n")
	}
	rssRow("RSS idle, MiB (A / B / C)", func(s implSummary) [3]uint64 { return s.RSSIdle })
	fmt.Fprintf(&b, "| CPU while idle, %% of a core (A / B / C) |")
	for _, s := range impls {
		fmt.Fprintf(&b, " %.1f / %.1f / %.1f |", 100*s.IdleCPU[0], 100*s.IdleCPU[1], 100*s.IdleCPU[2])
	}
	if both {
		fmt.Fprintf(&b, " %s |", ratio(sum(lnd.IdleCPU), sum(fulmen.IdleCPU)))
	}
	b.WriteString("\n")
	rssRow("RSS after the run, MiB (A / B / C)", func(s implSummary) [3]uint64 { return s.RSSAfter })
	restartRow := func(name string, get func(restartTiming) time.Duration) {
		fmt.Fprintf(&b, "| %s |", name)
		for _, s := range impls {
			if s.RestartErr != "" {
				fmt.Fprintf(&b, " failed %s |", note(displayName(s.Impl)+" restart: "+s.RestartErr))
				continue
			}
			fmt.Fprintf(&b, " %s |", msText(get(s.Restart)))
		}
		if both {
			if fulmen.RestartErr == "" && lnd.RestartErr == "" {
				fmt.Fprintf(&b, " %s |", ratio(float64(get(lnd.Restart)), float64(get(fulmen.Restart))))
			} else {
				b.WriteString(" — |")
			}
		}
		b.WriteString("\n")
	}
	restartRow("restart of A → RPC answers, ms", func(t restartTiming) time.Duration { return t.RPCUp })
	restartRow("restart of A → channel active, ms", func(t restartTiming) time.Duration { return t.Active })
	if len(notes) > 0 {
		b.WriteString("\n")
		for i, n := range notes {
			fmt.Fprintf(&b, "[%d] %s\n", i+1, n)
		}
	}
	return b.String()
}

// pair finds Fulmen's and lnd's summaries.
func pair(impls []implSummary) (fulmen, lnd implSummary, both bool) {
	var haveF, haveL bool
	for _, s := range impls {
		switch s.Impl {
		case implFulmen:
			fulmen, haveF = s, true
		case implLnd:
			lnd, haveL = s, true
		}
	}
	return fulmen, lnd, haveF && haveL
}

// missing is the cell of a case without figures, with a note saying why.
func missing(c caseSummary, note func(string) string) string {
	if c.Unsupported != "" {
		return "not supported yet " + note(c.Unsupported)
	}
	if c.Failed != "" {
		return "failed " + note(c.Failed)
	}
	return "not run"
}

func msText(d time.Duration) string {
	v := msf(d)
	if v >= 100 {
		return thousands(int64(v + 0.5))
	}
	return fmt.Sprintf("%.1f", v)
}

func cpuText(d time.Duration) string { return fmt.Sprintf("%.2f", msf(d)) }

func rateText(perSecond float64) string {
	if perSecond >= 100 {
		return thousands(int64(perSecond + 0.5))
	}
	return fmt.Sprintf("%.1f", perSecond)
}

func mibText(kib uint64) string { return fmt.Sprintf("%.0f", float64(kib)/1024) }

// ratio is a / b as "3.2×", or "—" when b is zero.
func ratio(a, b float64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f×", a/b)
}

func sum[T time.Duration | uint64 | float64](v [3]T) T { return v[0] + v[1] + v[2] }

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// thousands writes n with commas between groups of three digits.
func thousands(n int64) string {
	text := fmt.Sprint(n)
	neg := strings.HasPrefix(text, "-")
	text = strings.TrimPrefix(text, "-")
	var out []byte
	for i := range len(text) {
		if i > 0 && (len(text)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, text[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
