package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ptrino "github.com/skimdata/skim/proxy/trino"
)

// nodeResult is what node/client.mjs prints for one query.
type nodeResult struct {
	Query   string `json:"query"`
	Columns []struct {
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"columns"`
	Rows     []json.RawMessage `json:"rows"`
	Warnings []struct {
		WarningCode struct {
			Name string `json:"name"`
		} `json:"warningCode"`
	} `json:"warnings"`
	State string          `json:"state"`
	Error json.RawMessage `json:"error"`
}

// TestNodeClient runs the trino-client npm package against skim: a
// rand-limit query must come back rewritten with exactly its rows, a
// passthrough query with the rows the server sends directly.
func TestNodeClient(t *testing.T) {
	needNode(t, "node", "trino-client")
	s := startSkim(t, ptrino.Options{})
	resetUpstream(t)
	out := runNode(t, "node", s.url)
	var got struct{ RandLimit, Passthrough nodeResult }
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("reading the output of client.mjs: %v\n%s", err, out)
	}

	r := got.RandLimit
	if r.State != "FINISHED" || len(r.Error) > 0 && string(r.Error) != "null" {
		t.Fatalf("%s: state %s, error %s", r.Query, r.State, r.Error)
	}
	if len(r.Rows) != 500 || len(r.Columns) != 2 || r.Columns[0].Name != "user_id" || r.Columns[0].Type != "bigint" {
		t.Errorf("%s: %d rows, columns %+v; want 500 rows of user_id bigint, page", r.Query, len(r.Rows), r.Columns)
	}
	if len(r.Warnings) == 0 || r.Warnings[0].WarningCode.Name != "SKIM_REWRITE" {
		t.Errorf("%s: warnings %+v, want SKIM_REWRITE", r.Query, r.Warnings)
	}
	sawRewrite := false
	for _, st := range env.upstream.Statements() {
		if strings.Contains(st.SQL, "ORDER BY rand() LIMIT 500") {
			sawRewrite = sawRewrite || st.SQL != r.Query
			if st.User != "node" || st.Source != "node-e2e" {
				t.Errorf("the upstream received user %q, source %q", st.User, st.Source)
			}
		}
	}
	if !sawRewrite {
		t.Errorf("the upstream never received a rewrite of %s: %+v", r.Query, env.upstream.Statements())
	}

	p := got.Passthrough
	direct := newRawClient(t).run(env.upstreamURL, p.Query)
	if p.State != "FINISHED" || len(p.Rows) != rowCount(direct) || len(p.Rows) != 1500 {
		t.Fatalf("%s: state %s, %d rows, want 1500", p.Query, p.State, len(p.Rows))
	}
	i := 0
	for _, page := range direct {
		for _, row := range page.Data {
			if !sameJSON(t, p.Rows[i], row) {
				t.Fatalf("%s: row %d through skim %s, direct %s", p.Query, i, p.Rows[i], row)
			}
			i++
		}
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// sameJSON reports whether two JSON documents hold the same values,
// whatever their spacing.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	xs, _ := json.Marshal(x)
	ys, _ := json.Marshal(y)
	return bytes.Equal(xs, ys)
}

// needNode skips the test when node or the npm package it needs in dir is
// missing, unless CI is set: then the test fails, so it never passes
// without running.
func needNode(t *testing.T, dir, pkg string) {
	t.Helper()
	missing := ""
	_, err := exec.LookPath("node")
	switch {
	case err != nil:
		missing = "node is not installed"
	case !exists(filepath.Join(dir, "node_modules", filepath.FromSlash(pkg), "package.json")):
		missing = "test/e2e/" + dir + "/node_modules is missing; run npm ci in test/e2e/" + dir
	}
	if missing == "" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("the Node client test cannot run in CI: %s", missing)
	}
	t.Skipf("skipping the Node client test: %s", missing)
}

// runNode runs dir/client.mjs against skim at url and returns what it
// printed.
func runNode(t *testing.T, dir, url string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "client.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SKIM_URL="+url)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s/client.mjs: %v\n%s", dir, err, stderr.Bytes())
	}
	return out
}
