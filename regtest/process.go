package regtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// ErrExited: btcd exited before it was ready or before Close.
var ErrExited = errors.New("regtest: btcd exited")

// process is one running btcd, stopped by its pid.
type process struct {
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed when the process has exited
	waitErr error         // set before done is closed
}

// startProcess runs path with args in dir, output to dir/btcd.log, with
// HOME=dir so that btcd never touches the user's ~/.btcd.
func startProcess(path, dir string, args []string) (*process, error) {
	logPath := filepath.Join(dir, "btcd.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("regtest: %w", err)
	}
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("regtest: starting btcd: %w", err)
	}
	p := &process{cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has exited.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop asks btcd to shut down (SIGINT, which it handles by flushing its
// database), and kills it if it has not exited within grace. It signals
// only its own pid.
func (p *process) stop(grace time.Duration) error {
	if p.exited() {
		return nil
	}
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil && !p.exited() {
		return fmt.Errorf("regtest: signalling btcd pid %d: %w", p.cmd.Process.Pid, err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(grace):
	}
	if err := p.cmd.Process.Kill(); err != nil && !p.exited() {
		return fmt.Errorf("regtest: killing btcd pid %d: %w", p.cmd.Process.Pid, err)
	}
	<-p.done
	return nil
}

// logTail returns the end of btcd's output, for error messages.
func (p *process) logTail(n int) string {
	data, err := os.ReadFile(p.logPath)
	if err != nil {
		return ""
	}
	// Leave out the miner's one line per block: setup mines hundreds.
	var kept []string
	for line := range strings.SplitSeq(string(data), "\n") {
		if !strings.Contains(line, "Block submitted via CPU miner") {
			kept = append(kept, line)
		}
	}
	return lastLines(strings.Join(kept, "\n"), n)
}

// addressInUse reports whether btcd's output says a port was taken.
func (p *process) addressInUse() bool {
	data, _ := os.ReadFile(p.logPath)
	return bytes.Contains(data, []byte("address already in use"))
}

// freePorts reserves n distinct free loopback ports by listening on port 0,
// then releases them for btcd to bind. Another process may take one in
// between: the harness retries with new ports when btcd says so.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	listeners := make([]net.Listener, 0, n)
	defer func() {
		for _, ln := range listeners {
			ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("regtest: finding a free port: %w", err)
		}
		listeners = append(listeners, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// writeRPCCert writes a self-signed certificate and key for btcd's RPC
// server (--rpccert, --rpckey), valid for localhost, 127.0.0.1 and ::1.
// btcd could make its own, but its names depend on the machine's network
// interfaces; clients trust this file as their CA.
func writeRPCCert(certPath, keyPath string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("regtest: RPC key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return fmt.Errorf("regtest: RPC certificate serial: %w", err)
	}
	now := time.Now()
	template := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"fulmen regtest btcd"}, CommonName: "localhost"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("regtest: RPC certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("regtest: RPC key: %w", err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return fmt.Errorf("regtest: %w", err)
	}
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return fmt.Errorf("regtest: %w", err)
	}
	return nil
}
