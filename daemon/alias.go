package daemon

import (
	"encoding/hex"
	"strings"
)

// Like Core Lightning, a node without a configured alias gets a memorable
// one derived from its id (an adjective and a noun chosen by id bytes), and
// its color is the first three bytes of the id. The word lists are ours.
var (
	aliasAdjectives = []string{
		"AMBER", "BRAVE", "CALM", "DARING", "EAGER", "FIERCE", "GENTLE", "HUMBLE",
		"IVORY", "JOLLY", "KEEN", "LUCKY", "MIGHTY", "NIMBLE", "OPAL", "PROUD",
		"QUIET", "RAPID", "SILENT", "TIDY", "UPBEAT", "VIVID", "WILD", "YOUNG",
		"ZESTY", "BOLD", "CRISP", "DUSKY", "FROSTY", "GOLDEN", "HAZY", "SWIFT",
	}
	aliasNouns = []string{
		"ANCHOR", "BADGER", "COMET", "DOLPHIN", "EMBER", "FALCON", "GLACIER", "HERON",
		"IBIS", "JAGUAR", "KESTREL", "LYNX", "MARLIN", "NEBULA", "OTTER", "PANTHER",
		"QUARTZ", "RAVEN", "SPARROW", "THUNDER", "URCHIN", "VOLCANO", "WALRUS", "YAK",
		"ZEPHYR", "BEACON", "CONDOR", "DYNAMO", "FERRET", "GECKO", "HARBOR", "METEOR",
	}
)

// defaultAlias derives the alias from the 33-byte compressed node id.
func defaultAlias(nodeID []byte) string {
	adjective := aliasAdjectives[int(nodeID[1])%len(aliasAdjectives)]
	noun := aliasNouns[int(nodeID[2])%len(aliasNouns)]
	return adjective + noun
}

// defaultColor is the first three bytes of the node id, as hex.
func defaultColor(nodeID []byte) string { return hex.EncodeToString(nodeID[:3]) }

// sanitizeAlias keeps an alias within BOLT 7's 32 bytes.
func sanitizeAlias(alias string) string {
	// BOLT #7: alias ... 32 bytes, UTF-8, padded with zero bytes.
	for len(alias) > 32 {
		alias = alias[:len(alias)-1]
	}
	return strings.ToValidUTF8(alias, "")
}
