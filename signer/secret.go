package signer

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// SecretFileName is the name of the seed file in the network directory, as
// in Core Lightning.
const SecretFileName = "hsm_secret"

// secretLen is the size of hsm_secret in bytes.
const secretLen = 32

// ErrBadSecretFile is returned when hsm_secret exists but is not a 32-byte
// file: the node refuses to start rather than create a new identity.
var ErrBadSecretFile = errors.New("signer: hsm_secret is not a 32-byte file")

// LoadOrCreateSecret reads dir/hsm_secret, creating it from rand (mode 0400)
// when it does not exist yet. created reports whether a new secret was made.
func LoadOrCreateSecret(dir string, rand io.Reader) (secret [secretLen]byte, created bool, err error) {
	path := filepath.Join(dir, SecretFileName)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if len(data) != secretLen {
			return secret, false, fmt.Errorf("%w: %s has %d bytes", ErrBadSecretFile, path, len(data))
		}
		copy(secret[:], data)
		return secret, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return secret, false, fmt.Errorf("signer: reading %s: %w", path, err)
	}

	if _, err := io.ReadFull(rand, secret[:]); err != nil {
		return secret, false, fmt.Errorf("signer: generating hsm_secret: %w", err)
	}
	if err := writeNewFile(path, secret[:], 0o400); err != nil {
		return secret, false, err
	}
	return secret, true, nil
}

// writeNewFile writes data to a fresh file with the given mode, syncing the
// file and its directory so that a crash never leaves a half-written secret.
func writeNewFile(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return fmt.Errorf("signer: creating %s: %w", tmp, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("signer: writing %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("signer: syncing %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("signer: closing %s: %w", tmp, err)
	}
	// Link refuses to replace an existing file, so two processes racing to
	// create the secret cannot overwrite each other's identity.
	if err := os.Link(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("signer: installing %s: %w", path, err)
	}
	os.Remove(tmp)
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
