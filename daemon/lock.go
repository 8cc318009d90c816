package daemon

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ErrAlreadyRunning is returned when another fulmend holds the directory.
var ErrAlreadyRunning = errors.New("another fulmend is already running")

// dirLock is an exclusive advisory lock on the pid file, held for the
// daemon's lifetime; the kernel releases it if the process dies, so a crash
// never leaves the directory locked.
type dirLock struct{ f *os.File }

// lockPIDFile takes the lock and writes our pid into the file.
func lockPIDFile(path string) (*dirLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening pid file %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		other, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			pid := strings.TrimSpace(string(other))
			return nil, fmt.Errorf("%w with pid file %s (pid %s)", ErrAlreadyRunning, path, pid)
		}
		return nil, fmt.Errorf("locking pid file %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		f.Sync()
	}
	return &dirLock{f: f}, nil
}

// release removes the pid file and drops the lock.
func (l *dirLock) release() {
	os.Remove(l.f.Name())
	l.f.Close()
}
