package main

import (
	"slices"
	"time"
)

// caseSummary is one case of one implementation over all its runs: the
// median of each run's figure.
type caseSummary struct {
	Spec      caseSpec
	Method    string
	Runs      int
	Median    time.Duration
	P90       time.Duration
	P99       time.Duration
	PerSecond float64
	CPU       [3]time.Duration
	// Unsupported or Failed (from the first run that said so) replace the
	// figures: a case is reported only when every run completed it.
	Unsupported string
	Failed      string
}

// implSummary is one implementation over all its runs.
type implSummary struct {
	Impl        string
	ChannelType string
	Runs        int
	Cases       []caseSummary
	RSSIdle     [3]uint64 // KiB, median of runs
	RSSAfter    [3]uint64
	IdleCPU     [3]float64 // cores, median of runs
	Restart     restartTiming
	RestartErr  string
}

// summarizeRuns takes the median over the runs of impl of every figure.
func summarizeRuns(runs []lineRun, impl string, cases []caseSpec) implSummary {
	var mine []lineRun
	for _, r := range runs {
		if r.Impl == impl {
			mine = append(mine, r)
		}
	}
	s := implSummary{Impl: impl, Runs: len(mine)}
	if len(mine) == 0 {
		return s
	}
	s.ChannelType = mine[0].ChannelType
	for i := range 3 {
		s.RSSIdle[i] = medianOf(mine, func(r lineRun) uint64 { return r.RSSIdle[i] })
		s.RSSAfter[i] = medianOf(mine, func(r lineRun) uint64 { return r.RSSAfter[i] })
		s.IdleCPU[i] = medianOf(mine, func(r lineRun) float64 { return r.IdleCPU[i] })
	}
	var restarted []lineRun
	for _, r := range mine {
		if r.RestartErr != "" && s.RestartErr == "" {
			s.RestartErr = r.RestartErr
		}
		if r.RestartErr == "" {
			restarted = append(restarted, r)
		}
	}
	if s.RestartErr == "" {
		s.Restart.RPCUp = medianOf(restarted, func(r lineRun) time.Duration { return r.Restart.RPCUp })
		s.Restart.Active = medianOf(restarted, func(r lineRun) time.Duration { return r.Restart.Active })
	}
	for _, spec := range cases {
		s.Cases = append(s.Cases, summarizeCase(mine, spec))
	}
	return s
}

// summarizeCase is the median over the runs of one case.
func summarizeCase(runs []lineRun, spec caseSpec) caseSummary {
	cs := caseSummary{Spec: spec}
	var results []caseResult
	for _, r := range runs {
		i := slices.IndexFunc(r.Cases, func(c caseResult) bool { return c.Spec == spec })
		if i < 0 {
			continue
		}
		c := r.Cases[i]
		cs.Method = c.Method
		switch {
		case c.Unsupported != "" && cs.Unsupported == "":
			cs.Unsupported = c.Unsupported
		case c.Failed != "" && cs.Failed == "":
			cs.Failed = c.Failed
		}
		results = append(results, c)
	}
	cs.Runs = len(results)
	if cs.Unsupported != "" || cs.Failed != "" || len(results) == 0 {
		return cs
	}
	cs.Median = medianOf(results, func(c caseResult) time.Duration { return c.Summary.Median })
	cs.P90 = medianOf(results, func(c caseResult) time.Duration { return c.Summary.P90 })
	cs.P99 = medianOf(results, func(c caseResult) time.Duration { return c.Summary.P99 })
	cs.PerSecond = medianOf(results, func(c caseResult) float64 { return c.Summary.PerSecond })
	for i := range 3 {
		cs.CPU[i] = medianOf(results, func(c caseResult) time.Duration { return c.CPU[i] })
	}
	return cs
}

// ok reports whether the case has figures.
func (c caseSummary) ok() bool { return c.Unsupported == "" && c.Failed == "" && c.Runs > 0 }
