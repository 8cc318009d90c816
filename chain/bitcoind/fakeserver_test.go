package bitcoind

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// reply is what the fake server answers to one method: an HTTP status and
// a raw body. Bodies are written by the helpers below in the shapes btcd
// and bitcoind use.
type reply struct {
	status int
	body   string
}

func okReply(result string) reply {
	return reply{http.StatusOK, `{"result":` + result + `,"error":null,"id":1}`}
}

// btcdError is an RPC error as btcd sends it: HTTP 200.
func btcdError(code int, message string) reply {
	return reply{http.StatusOK, fmt.Sprintf(`{"jsonrpc":"1.0","result":null,"error":{"code":%d,"message":%q},"id":1}`, code, message)}
}

// bitcoindError is an RPC error as bitcoind sends it: HTTP 500 (404 for an
// unknown method).
func bitcoindError(code int, message string) reply {
	status := http.StatusInternalServerError
	if code == CodeMethodNotFound {
		status = http.StatusNotFound
	}
	return reply{status, fmt.Sprintf(`{"result":null,"error":{"code":%d,"message":%q},"id":1}`, code, message)}
}

type recordedRequest struct {
	Method  string            `json:"method"`
	Params  []json.RawMessage `json:"params"`
	JSONRPC string            `json:"jsonrpc"`
	ID      *uint64           `json:"id"`
}

// fakeServer answers JSON-RPC calls from a table, checks basic auth, and
// records the requests.
type fakeServer struct {
	t       *testing.T
	mu      sync.Mutex
	replies map[string]reply
	got     []recordedRequest
}

func newFakeServer(t *testing.T, replies map[string]reply) (*fakeServer, *httptest.Server) {
	fs := &fakeServer{t: t, replies: replies}
	srv := httptest.NewServer(fs)
	t.Cleanup(srv.Close)
	return fs, srv
}

func (fs *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != "user" || pass != "pass" {
		http.Error(w, "401 Unauthorized.", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		fs.t.Errorf("reading request: %v", err)
		return
	}
	var req recordedRequest
	if err := json.Unmarshal(body, &req); err != nil {
		fs.t.Errorf("request is not JSON: %s", body)
		return
	}
	fs.mu.Lock()
	fs.got = append(fs.got, req)
	answer, ok := fs.replies[req.Method]
	fs.mu.Unlock()
	if !ok {
		answer = btcdError(CodeMethodNotFound, "Method not found")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(answer.status)
	_, _ = io.WriteString(w, answer.body)
}

func (fs *fakeServer) requests() []recordedRequest {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]recordedRequest(nil), fs.got...)
}

// clientFor builds a client for the fake server.
func clientFor(t *testing.T, srv *httptest.Server) *Client {
	t.Helper()
	c, err := New(Config{Host: srv.Listener.Addr().String(), User: "user", Pass: "pass"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}
