package devnet

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
)

// BtcdVersion is the pinned btcd release the devnet runs.
const BtcdVersion = "v0.24.2"

// ToolsDir is where pinned tools are installed: $FULMEN_CACHE, or
// fulmen-tools beside Go's build cache, so a warm machine never rebuilds.
func ToolsDir(ctx context.Context) (string, error) {
	if dir := os.Getenv("FULMEN_CACHE"); dir != "" {
		return dir, nil
	}
	out, err := exec.CommandContext(ctx, "go", "env", "GOCACHE").Output()
	if err != nil {
		return "", fmt.Errorf("devnet: go env GOCACHE: %w", err)
	}
	return filepath.Join(filepath.Dir(strings.TrimSpace(string(out))), "fulmen-tools"), nil
}

// InstallBtcd installs the pinned btcd with `go install` if missing and
// returns the binary's path.
func InstallBtcd(ctx context.Context) (string, error) {
	tools, err := ToolsDir(ctx)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(tools, "btcd-"+BtcdVersion)
	bin := filepath.Join(dir, "btcd")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	cmd := exec.CommandContext(ctx, "go", "install", "github.com/btcsuite/btcd@"+BtcdVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=-mod=mod")
	cmd.Dir = os.TempDir() // outside any module: install the pinned release as is
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("devnet: installing btcd %s: %v\n%s", BtcdVersion, err, out)
	}
	return bin, nil
}

// Btcd is a running btcd --regtest with its RPC on TLS.
type Btcd struct {
	Dir      string
	RPCHost  string
	RPCPort  int
	P2PPort  int
	User     string
	Password string
	CertFile string

	cmd    *exec.Cmd
	exited chan struct{}
	http   *http.Client
	nextID atomic.Uint64
}

// freePort asks the kernel for a free loopback TCP port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StartBtcd starts a fresh regtest chain in dir (btcd --regtest wipes its
// chain at each start anyway) whose coinbases pay a key the devnet holds.
func StartBtcd(ctx context.Context, dir string) (*Btcd, error) {
	bin, err := InstallBtcd(ctx)
	if err != nil {
		return nil, err
	}
	rpcPort, err := freePort()
	if err != nil {
		return nil, err
	}
	p2pPort, err := freePort()
	if err != nil {
		return nil, err
	}
	miningKey, err := btcec.NewPrivateKey()
	if err != nil {
		return nil, err
	}
	miningAddr, err := btcutil.NewAddressPubKeyHash(btcutil.Hash160(miningKey.PubKey().SerializeCompressed()), &chaincfg.RegressionNetParams)
	if err != nil {
		return nil, err
	}
	b := &Btcd{Dir: dir, RPCHost: "127.0.0.1", RPCPort: rpcPort, P2PPort: p2pPort,
		User: "fulmen", Password: "devnet-" + strconv.Itoa(rpcPort), CertFile: filepath.Join(dir, "rpc.cert")}
	args := []string{
		"--regtest",
		"--datadir=" + filepath.Join(dir, "data"),
		"--logdir=" + filepath.Join(dir, "logs"),
		"--rpcuser=" + b.User,
		"--rpcpass=" + b.Password,
		"--rpclisten=127.0.0.1:" + strconv.Itoa(rpcPort),
		"--listen=127.0.0.1:" + strconv.Itoa(p2pPort),
		"--rpccert=" + b.CertFile,
		"--rpckey=" + filepath.Join(dir, "rpc.key"),
		"--miningaddr=" + miningAddr.EncodeAddress(),
		"--txindex",
		"--debuglevel=info",
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	out, err := os.Create(filepath.Join(dir, "btcd.out"))
	if err != nil {
		return nil, err
	}
	b.cmd = exec.Command(bin, args...)
	b.cmd.Stdout, b.cmd.Stderr = out, out
	if err := b.cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("devnet: starting btcd: %w", err)
	}
	b.exited = make(chan struct{})
	go func() {
		b.cmd.Wait()
		out.Close()
		close(b.exited)
	}()
	if err := b.waitReady(ctx); err != nil {
		b.Stop()
		return nil, err
	}
	return b, nil
}

func (b *Btcd) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		if b.http == nil {
			if pem, err := os.ReadFile(b.CertFile); err == nil {
				pool := x509.NewCertPool()
				if pool.AppendCertsFromPEM(pem) {
					b.http = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
						TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
				}
			}
		}
		var err error
		if b.http != nil {
			var n int64
			if err = b.Call(ctx, "getblockcount", nil, &n); err == nil {
				return nil
			}
		}
		select {
		case <-b.exited:
			data, _ := os.ReadFile(filepath.Join(b.Dir, "btcd.out"))
			return fmt.Errorf("devnet: btcd exited during start-up: %s", data)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("devnet: btcd not ready after 60s: %v", err)
		}
	}
}

// Call makes a JSON-RPC call to btcd.
func (b *Btcd) Call(ctx context.Context, method string, params []any, result any) error {
	if params == nil {
		params = []any{}
	}
	body, _ := json.Marshal(map[string]any{"jsonrpc": "1.0", "id": b.nextID.Add(1), "method": method, "params": params})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		"https://"+net.JoinHostPort(b.RPCHost, strconv.Itoa(b.RPCPort)), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.SetBasicAuth(b.User, b.Password)
	resp, err := b.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var reply struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil {
		return fmt.Errorf("btcd %s: HTTP %d: %w", method, resp.StatusCode, err)
	}
	if reply.Error != nil {
		return fmt.Errorf("btcd %s: %d %s", method, reply.Error.Code, reply.Error.Message)
	}
	if result == nil {
		return nil
	}
	return json.Unmarshal(reply.Result, result)
}

// Mine mines n blocks.
func (b *Btcd) Mine(ctx context.Context, n int) error {
	return b.Call(ctx, "generate", []any{n}, nil)
}

// Height returns the chain's block count.
func (b *Btcd) Height(ctx context.Context) (uint32, error) {
	var n uint32
	err := b.Call(ctx, "getblockcount", nil, &n)
	return n, err
}

// Backend is how daemons reach this chain.
func (b *Btcd) Backend() Backend {
	return Backend{Host: b.RPCHost, Port: b.RPCPort, User: b.User, Password: b.Password, CertFile: b.CertFile}
}

// Stop ends btcd by its pid: SIGTERM, then SIGKILL if it lingers.
func (b *Btcd) Stop() {
	if b.cmd == nil || b.cmd.Process == nil {
		return
	}
	select {
	case <-b.exited:
		return
	default:
	}
	b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.exited:
	case <-time.After(10 * time.Second):
		b.cmd.Process.Signal(syscall.SIGKILL)
		<-b.exited
	}
}
