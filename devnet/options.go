package devnet

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// SetOption replaces every line of the node's config file setting key
// with key=value (or appends it); it takes effect at the next Start.
func (n *Node) SetOption(key, value string) error {
	path := filepath.Join(n.LightningDir, "config")
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("devnet: %s: %w", n.Name, err)
	}
	var lines []string
	for _, line := range strings.Split(strings.TrimRight(string(raw), "\n"), "\n") {
		if k, _, _ := strings.Cut(line, "="); strings.TrimSpace(k) != key {
			lines = append(lines, line)
		}
	}
	lines = append(lines, key+"="+value)
	return os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600)
}
