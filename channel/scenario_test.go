package channel

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fulmen-ln/fulmen/channeltx"
	"github.com/fulmen-ln/fulmen/lnwire"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of testdata/*.txt")

// scenarioStep is one command of a scenario file and its expected output.
type scenarioStep struct {
	line     int
	command  string
	expected string
}

// parseScenario reads the etcd-raft style format: a command line, a "----"
// line, the expected output up to a blank line. Lines starting with # are
// comments.
func parseScenario(path string) ([]scenarioStep, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var steps []scenarioStep
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		st := scenarioStep{line: line, command: text}
		if !sc.Scan() || strings.TrimSpace(sc.Text()) != "----" {
			return nil, fmt.Errorf("%s:%d: command without ---- line", path, line)
		}
		line++
		var out []string
		for sc.Scan() {
			line++
			if sc.Text() == "" {
				break
			}
			out = append(out, sc.Text())
		}
		st.expected = strings.Join(out, "\n")
		steps = append(steps, st)
	}
	return steps, sc.Err()
}

func writeScenario(path string, steps []scenarioStep, outputs []string) error {
	original, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	// Keep the comments that precede each command.
	lines := strings.Split(string(original), "\n")
	var b strings.Builder
	next := 0
	for i := 0; i < len(lines); i++ {
		text := strings.TrimSpace(lines[i])
		if next < len(steps) && i+1 == steps[next].line {
			fmt.Fprintf(&b, "%s\n----\n%s\n\n", steps[next].command, outputs[next])
			i += 2 // skip ----
			for i < len(lines) && lines[i] != "" {
				i++
			}
			next++
			continue
		}
		if strings.HasPrefix(text, "#") {
			b.WriteString(lines[i] + "\n")
		}
	}
	return os.WriteFile(path, []byte(strings.TrimRight(b.String(), "\n")+"\n"), 0o644)
}

func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			steps, err := parseScenario(path)
			if err != nil {
				t.Fatal(err)
			}
			var h *harness
			outputs := make([]string, len(steps))
			for i, st := range steps {
				out, err := runCommand(&h, st.command)
				if err != nil {
					t.Fatalf("%s:%d: %s: %v", path, st.line, st.command, err)
				}
				if h != nil && len(h.violations) > 0 {
					t.Errorf("%s:%d: %s: invariants broken:\n%s", path, st.line, st.command, strings.Join(h.violations, "\n"))
					h.violations = nil
				}
				outputs[i] = out
				if !*rewrite && out != st.expected {
					t.Errorf("%s:%d: %s\n--- got\n%s\n--- want\n%s", path, st.line, st.command, out, st.expected)
				}
			}
			if *rewrite {
				if err := writeScenario(path, steps, outputs); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// runCommand runs one scenario command and returns what it printed.
func runCommand(hp **harness, command string) (string, error) {
	fields := strings.Fields(command)
	args, opts := splitArgs(fields[1:])
	if fields[0] == "new" {
		h, err := newScenarioHarness(args, opts)
		if err != nil {
			return "", err
		}
		*hp = h
		return h.summary(h.nodes[0]) + "\n" + h.summary(h.nodes[1]), nil
	}
	h := *hp
	if h == nil {
		return "", fmt.Errorf("no channel: start with new")
	}
	h.out.Reset()
	nodeArg := func(i int) (*node, error) {
		if len(args) <= i {
			return nil, fmt.Errorf("missing node name")
		}
		return h.byName(args[i])
	}
	numArg := func(i int) (uint64, error) {
		if len(args) <= i {
			return 0, fmt.Errorf("missing number")
		}
		return strconv.ParseUint(args[i], 10, 64)
	}
	n, nodeErr := nodeArg(0)
	num, numErr := numArg(1)
	need := func(errs ...error) error {
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
		return nil
	}
	switch fields[0] {
	case "add":
		if err := need(nodeErr, numErr); err != nil {
			return "", err
		}
		cltv := opts.num("cltv", 500)
		h.step(n, AddHTLC{Amount: lnwire.MilliSatoshi(num), PaymentHash: h.newPayment(), CLTVExpiry: lnwire.BlockHeight(cltv)})
	case "fulfill", "fail", "malformed":
		if err := need(nodeErr, numErr); err != nil {
			return "", err
		}
		h.step(n, removalCommand(h, n, fields[0], num))
	case "sign":
		if err := need(nodeErr); err != nil {
			return "", err
		}
		h.step(n, SignCommitment{})
	case "fee":
		if err := need(nodeErr, numErr); err != nil {
			return "", err
		}
		h.step(n, UpdateFee{Feerate: lnwire.FeeratePerKW(num)})
	case "deliver":
		if err := need(nodeErr); err != nil {
			return "", err
		}
		count := -1
		if numErr == nil {
			count = int(num)
		}
		h.deliver(n, count)
	case "settle":
		h.settle()
	case "disconnect":
		h.disconnect()
	case "reconnect":
		h.reconnect()
	case "restart":
		if err := need(nodeErr); err != nil {
			return "", err
		}
		if err := h.restart(n); err != nil {
			return "", err
		}
		h.printf("%s: restarted from its persisted state", n.name)
	case "shutdown":
		if err := need(nodeErr); err != nil {
			return "", err
		}
		h.step(n, Shutdown{Script: n.env.Policy.ShutdownScript})
	case "state":
		for _, x := range h.nodes {
			if nodeErr == nil && x != n {
				continue
			}
			h.printf("%s", h.summary(x))
		}
	default:
		return "", fmt.Errorf("unknown command %q", fields[0])
	}
	out := strings.TrimRight(h.out.String(), "\n")
	if out == "" {
		out = "ok"
	}
	return out, nil
}

// removalCommand builds a fulfill or fail of the incoming HTLC `id`,
// looking up its preimage.
func removalCommand(h *harness, n *node, kind string, id uint64) Event {
	switch kind {
	case "fulfill":
		var preimage [32]byte
		if i := n.state.LocalCommit.Spec.find(Remote, id); i >= 0 {
			preimage = h.preimages[n.state.LocalCommit.Spec.HTLCs[i].PaymentHash]
		}
		return FulfillHTLC{ID: id, Preimage: preimage}
	case "fail":
		return FailHTLC{ID: id, Reason: []byte("failure onion")}
	}
	return FailMalformedHTLC{ID: id, FailureCode: 0x8000 | 0x4000 | 5}
}

type options map[string]string

func (o options) num(key string, def uint64) uint64 {
	if v, ok := o[key]; ok {
		if n, err := strconv.ParseUint(v, 10, 64); err == nil {
			return n
		}
	}
	return def
}

func splitArgs(fields []string) ([]string, options) {
	opts := options{}
	var args []string
	for _, f := range fields {
		if k, v, ok := strings.Cut(f, "="); ok {
			opts[k] = v
		} else {
			args = append(args, f)
		}
	}
	return args, opts
}

// newScenarioHarness opens a channel from alice to bob:
// new [anchors] [fee-range|alice-fee-range|bob-fee-range] capacity=sat push=msat feerate=perkw
// max-accepted=n dust-exposure=msat reserve=sat alice-closing-feerate=perkw
// bob-closing-feerate=perkw
func newScenarioHarness(args []string, opts options) (*harness, error) {
	cfg := defaultConfig()
	policy := DefaultPolicy()
	policy.ShutdownScript = append([]byte{0, 20}, make([]byte, 20)...)
	rangeOnly := ""
	for _, a := range args {
		switch a {
		case "anchors":
			cfg.Type = channeltx.AnchorsZeroFeeHTLC
		case "fee-range":
			policy.ClosingFeeRange = true
		case "alice-fee-range", "bob-fee-range":
			rangeOnly = strings.TrimSuffix(a, "-fee-range")
		default:
			return nil, fmt.Errorf("unknown flag %q", a)
		}
	}
	cfg.Capacity = lnwire.Satoshi(opts.num("capacity", uint64(cfg.Capacity)))
	cfg.Push = lnwire.MilliSatoshi(opts.num("push", uint64(cfg.Push)))
	cfg.Feerate = lnwire.FeeratePerKW(opts.num("feerate", uint64(cfg.Feerate)))
	for _, p := range []*Params{&cfg.Alice, &cfg.Bob} {
		p.MaxAcceptedHTLCs = uint16(opts.num("max-accepted", uint64(p.MaxAcceptedHTLCs)))
		p.ChannelReserve = lnwire.Satoshi(opts.num("reserve", uint64(p.ChannelReserve)))
	}
	policy.MaxDustHTLCExposure = lnwire.MilliSatoshi(opts.num("dust-exposure", uint64(policy.MaxDustHTLCExposure)))
	h, err := newHarness(cfg, policy)
	if err != nil {
		return nil, err
	}
	for _, n := range h.nodes {
		p := &n.env.Policy
		p.ClosingFeerate = lnwire.FeeratePerKW(opts.num(n.name+"-closing-feerate", uint64(p.ClosingFeerate)))
		if n.name == rangeOnly {
			p.ClosingFeeRange = true
		}
	}
	return h, nil
}
