package trinoserver

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/skimdata/skim/test/pgtest"
	"github.com/trinodb/trino-go-client/trino"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
)

// testDemo is the small demo the tests query: 5 days × 20,000 events.
var testDemo = DemoOptions{Days: 5, RowsPerDay: 20000, End: time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)}

// testEnv is the PostgreSQL all tests share, with the test demo loaded.
var testEnv pgtest.Shared

func TestMain(m *testing.M) {
	os.Exit(testEnv.Main(m, "trinoserver", func(ctx context.Context, pool *pgxpool.Pool) error {
		return LoadDemo(ctx, pool, testDemo, zap.NewNop())
	}))
}

// trinoEnv is a Server behind an httptest.Server, with a record of the
// requests that reached it.
type trinoEnv struct {
	srv *Server
	ts  *httptest.Server

	mu       sync.Mutex
	requests []string // "METHOD path"
}

func newTrinoEnv(t *testing.T, pool *pgxpool.Pool, opts Options) *trinoEnv {
	t.Helper()
	e := &trinoEnv{srv: New(pool, opts, zaptest.NewLogger(t, zaptest.Level(zap.InfoLevel)))}
	e.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.requests = append(e.requests, r.Method+" "+r.URL.Path)
		e.mu.Unlock()
		e.srv.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		e.srv.Reset()
		e.ts.Close()
	})
	return e
}

func (e *trinoEnv) requestLog() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.requests...)
}

// db opens database/sql through trino-go-client, as user tester with
// catalog demo and schema web.
func (e *trinoEnv) db(t *testing.T, edit func(*trino.Config)) *sql.DB {
	t.Helper()
	cfg := &trino.Config{ServerURI: strings.Replace(e.ts.URL, "http://", "http://tester@", 1), Catalog: "demo", Schema: "web"}
	if edit != nil {
		edit(cfg)
	}
	dsn, err := cfg.FormatDSN()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("trino", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// rawPage is a page of the protocol as a raw client sees it.
type rawPage struct {
	status int
	header http.Header
	body   []byte

	ID      string `json:"id"`
	InfoURI string `json:"infoUri"`
	NextURI string `json:"nextUri"`
	Columns []struct {
		Name          string          `json:"name"`
		Type          string          `json:"type"`
		TypeSignature json.RawMessage `json:"typeSignature"`
	} `json:"columns"`
	Data  [][]any `json:"data"`
	Stats struct {
		State              string `json:"state"`
		Queued             bool   `json:"queued"`
		Scheduled          bool   `json:"scheduled"`
		Nodes              int    `json:"nodes"`
		TotalSplits        int    `json:"totalSplits"`
		CompletedSplits    int    `json:"completedSplits"`
		ProcessedRows      int64  `json:"processedRows"`
		ProcessedBytes     int64  `json:"processedBytes"`
		PhysicalInputBytes int64  `json:"physicalInputBytes"`
		ElapsedTimeMillis  int64  `json:"elapsedTimeMillis"`
	} `json:"stats"`
	Error *struct {
		Message   string `json:"message"`
		ErrorCode int    `json:"errorCode"`
		ErrorName string `json:"errorName"`
		ErrorType string `json:"errorType"`
	} `json:"error"`
	UpdateType string `json:"updateType"`
}

// rawClient speaks the protocol by hand, to see what trino-go-client
// hides: pages, stats and status codes.
type rawClient struct {
	t    *testing.T
	base string
}

func (c rawClient) do(method, url, body string, header map[string]string) rawPage {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	p := rawPage{status: resp.StatusCode, header: resp.Header, body: data}
	if resp.StatusCode == http.StatusOK && bytes.HasPrefix(data, []byte("{")) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber() // keep bigints exact
		if err := dec.Decode(&p); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", method, url, data, err)
		}
	}
	return p
}

// post submits sql as user tester with schema web.
func (c rawClient) post(sql string) rawPage {
	c.t.Helper()
	return c.do(http.MethodPost, c.base+"/v1/statement", sql, map[string]string{
		"X-Trino-User": "tester", "X-Trino-Catalog": "demo", "X-Trino-Schema": "web",
	})
}

// run submits sql and follows nextUri to the end; it returns every page.
func (c rawClient) run(sql string) []rawPage {
	c.t.Helper()
	pages := []rawPage{c.post(sql)}
	for deadline := time.Now().Add(30 * time.Second); pages[len(pages)-1].NextURI != ""; {
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: not finished after 30 s", sql)
		}
		p := c.do(http.MethodGet, pages[len(pages)-1].NextURI, "", nil)
		if p.status != http.StatusOK {
			c.t.Fatalf("GET %s: status %d: %s", pages[len(pages)-1].NextURI, p.status, p.body)
		}
		pages = append(pages, p)
	}
	return pages
}
