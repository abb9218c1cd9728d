package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/skimdata/skim/catalog"
)

// openTrino opens database/sql through trino-go-client against base (skim
// or the test server), as user notebook with catalog demo, schema web and
// source jupyter; params are more DSN parameters.
func openTrino(t *testing.T, base, params string) *sql.DB {
	t.Helper()
	dsn := strings.Replace(base, "http://", "http://notebook@", 1) + "?catalog=demo&schema=web&source=jupyter"
	if params != "" {
		dsn += "&" + params
	}
	db, err := sql.Open("trino", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// queryRows runs a query and returns its column types and its rows, each
// value formatted with %#v so that rows compare as strings (NaN included).
func queryRows(t *testing.T, db *sql.DB, query string, args ...any) (types []string, rows [][]string) {
	t.Helper()
	rs, err := db.Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rs.Close()
	cts, err := rs.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range cts {
		types = append(types, ct.Name()+" "+ct.DatabaseTypeName())
	}
	for rs.Next() {
		vals := make([]any, len(cts))
		ptrs := make([]any, len(cts))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = fmt.Sprintf("%#v", v)
		}
		rows = append(rows, row)
	}
	if err := rs.Err(); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return types, rows
}

// rawPage is one page of the protocol as a raw client sees it.
type rawPage struct {
	status int
	header http.Header
	body   []byte

	ID               string            `json:"id"`
	InfoURI          string            `json:"infoUri"`
	NextURI          string            `json:"nextUri"`
	PartialCancelURI string            `json:"partialCancelUri"`
	Columns          []json.RawMessage `json:"columns"`
	Data             []json.RawMessage `json:"data"`
	Stats            struct {
		State          string `json:"state"`
		ProcessedRows  int64  `json:"processedRows"`
		ProcessedBytes int64  `json:"processedBytes"`
	} `json:"stats"`
	Error *struct {
		Message   string `json:"message"`
		ErrorCode int    `json:"errorCode"`
		ErrorName string `json:"errorName"`
		ErrorType string `json:"errorType"`
	} `json:"error"`
	Warnings []struct {
		WarningCode struct {
			Code int    `json:"code"`
			Name string `json:"name"`
		} `json:"warningCode"`
		Message string `json:"message"`
	} `json:"warnings"`
}

// rawClient speaks the protocol by hand, to see what trino-go-client
// hides: pages, stats, headers and URLs.
type rawClient struct {
	t *testing.T
	// header goes with every request.
	header http.Header
}

func newRawClient(t *testing.T) rawClient {
	return rawClient{t: t, header: http.Header{
		"X-Trino-User":    {"notebook"},
		"X-Trino-Catalog": {"demo"},
		"X-Trino-Schema":  {"web"},
		"X-Trino-Source":  {"e2e-raw"},
	}}
}

func (c rawClient) do(method, url, body string) rawPage {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header = c.header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading the body: %v", method, url, err)
	}
	p := rawPage{status: resp.StatusCode, header: resp.Header, body: data}
	if resp.StatusCode == http.StatusOK && bytes.HasPrefix(data, []byte("{")) {
		if err := json.Unmarshal(data, &p); err != nil {
			c.t.Fatalf("%s %s: decoding %s: %v", method, url, data, err)
		}
	}
	return p
}

func (c rawClient) post(base, sql string) rawPage {
	c.t.Helper()
	p := c.do(http.MethodPost, base+"/v1/statement", sql)
	if p.status != http.StatusOK {
		c.t.Fatalf("POST %s/v1/statement: status %d: %s", base, p.status, p.body)
	}
	return p
}

// follow GETs nextUri from page on until the query ends; rebase maps each
// nextUri before it is fetched. It returns the pages fetched.
func (c rawClient) follow(page rawPage, rebase func(string) string) []rawPage {
	c.t.Helper()
	var pages []rawPage
	for deadline := time.Now().Add(60 * time.Second); page.NextURI != ""; {
		if time.Now().After(deadline) {
			c.t.Fatalf("query %s not finished after 60 s", page.ID)
		}
		next := page.NextURI
		if rebase != nil {
			next = rebase(next)
		}
		page = c.do(http.MethodGet, next, "")
		if page.status != http.StatusOK {
			c.t.Fatalf("GET %s: status %d: %s", next, page.status, page.body)
		}
		pages = append(pages, page)
	}
	return pages
}

// run posts sql to base and follows it to the end: every page, the POST's
// first.
func (c rawClient) run(base, sql string) []rawPage {
	c.t.Helper()
	first := c.post(base, sql)
	return append([]rawPage{first}, c.follow(first, nil)...)
}

// queryID is the query ID in a test server path: /v1/statement/{kind}/{id}/…
// or /v1/query/{id}.
func queryID(path string) string {
	parts := strings.Split(path, "/")
	switch {
	case len(parts) >= 5 && parts[2] == "statement":
		return parts[4]
	case len(parts) >= 4 && parts[2] == "query":
		return parts[3]
	}
	return ""
}

// rowCount is the number of rows in pages.
func rowCount(pages []rawPage) int {
	n := 0
	for _, p := range pages {
		n += len(p.Data)
	}
	return n
}

// finalPage is the last page, which must have finished.
func finalPage(t *testing.T, pages []rawPage) rawPage {
	t.Helper()
	last := pages[len(pages)-1]
	if last.Stats.State != "FINISHED" {
		t.Fatalf("query ended in state %s: %s", last.Stats.State, last.body)
	}
	return last
}

// activeQueries counts PostgreSQL backends running a statement whose text
// contains tag.
func activeQueries(t *testing.T, tag string) int {
	t.Helper()
	var n int
	err := env.pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
		WHERE state = 'active' AND pid <> pg_backend_pid() AND strpos(query, $1) > 0`, tag).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitForPostgres waits up to within for a statement tagged tag to be
// running (running true) or gone, and returns how long that took.
func waitForPostgres(t *testing.T, tag string, running bool, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		if (activeQueries(t, tag) > 0) == running {
			return time.Since(start)
		}
		if time.Since(start) > within {
			if running {
				t.Fatalf("no PostgreSQL statement tagged %q started within %s", tag, within)
			}
			t.Fatalf("the PostgreSQL statement tagged %q still runs %s later", tag, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// scaledCatalog is the demo catalog with table's rows, bytes and files,
// and those of its partitions and columns, multiplied by factor: a catalog
// that overstates the table, so skim's samples come back short.
func scaledCatalog(t *testing.T, table string, factor int64) *catalog.Static {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(env.catalogYAML, &doc); err != nil {
		t.Fatal(err)
	}
	var scale func(n *yaml.Node)
	scale = func(n *yaml.Node) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				switch k, v := n.Content[i].Value, n.Content[i+1]; k {
				case "rows", "bytes", "files":
					x, err := strconv.ParseInt(v.Value, 10, 64)
					if err != nil {
						t.Fatalf("catalog %s of %s: %v", k, table, err)
					}
					v.Value = strconv.FormatInt(x*factor, 10)
				default:
					scale(v)
				}
			}
		case yaml.SequenceNode:
			for _, c := range n.Content {
				scale(c)
			}
		}
	}
	found := false
	// doc → file mapping → "tables" sequence → one mapping per table.
	for _, tbl := range doc.Content[0].Content[1].Content {
		for i := 0; i+1 < len(tbl.Content); i += 2 {
			if tbl.Content[i].Value == "name" && tbl.Content[i+1].Value == table {
				scale(tbl)
				found = true
			}
		}
	}
	if !found {
		t.Fatalf("%s is not in the demo catalog", table)
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.ParseStatic("scaled-catalog.yaml", out)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}
