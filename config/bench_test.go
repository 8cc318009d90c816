package config

import (
	"strings"
	"testing"
)

const benchFile = `# a typical regtest node
network=regtest
alias=bench-node
rgb=336699
log-level=debug
log-level=io:gossipd
log-file=fulmend.log
addr=127.0.0.1:19846
bind-addr=/tmp/fulmen.sock
announce-addr=203.0.113.7:9735
bitcoin-rpcconnect=127.0.0.1
bitcoin-rpcport=18443
bitcoin-rpcuser=user
bitcoin-rpcpassword=pass
fallback-feerate=1000
`

func BenchmarkParseFile(b *testing.B) {
	for b.Loop() {
		if _, err := ParseFile("config", strings.NewReader(benchFile)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	env := envWith(memFiles{"/home/u/.fulmen/config": benchFile})
	args := []string{"--lightning-dir=/home/u/.fulmen", "--alias", "cli", "--daemon", "--log-file=/var/log/f"}
	for b.Loop() {
		if _, err := Parse(args, env); err != nil {
			b.Fatal(err)
		}
	}
}
