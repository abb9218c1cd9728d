package rewrite

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/skimdata/skim/catalog"
	"github.com/skimdata/skim/rewrite/stmt"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// goldenCase is one statement of a testdata/<dialect>/*.sql file. Cases
// start with a line `-- case: NAME`; optional lines `-- session: CATALOG
// SCHEMA`, `-- seed: N`, `-- mode: MODE`, `-- sample: percent=P key=COL
// seed=N last=DURATION`, `-- budget: SIZE` and `-- no-opt-out` follow; the
// statement is everything up to the next case. Cases run at goldenNow.
type goldenCase struct {
	name    string
	session stmt.Session
	seed    uint64
	mode    Mode
	sample  *DevSample
	budget  Budget
	noOpt   bool
	sql     string
}

// goldenNow is the time golden cases run at: the example catalog's last
// partition is 2026-11-25.
var goldenNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func (c goldenCase) request(dialect stmt.Dialect) Request {
	return Request{SQL: c.sql, Dialect: dialect, Session: c.session, Seed: c.seed, Mode: c.mode, Policy: "golden",
		Sample: c.sample, Budget: c.budget, NoOptOut: c.noOpt, Now: goldenNow}
}

// parseSample reads `percent=P key=COL seed=N last=DURATION`.
func parseSample(t *testing.T, v string) *DevSample {
	t.Helper()
	ds := &DevSample{}
	for _, f := range strings.Fields(v) {
		k, val, _ := strings.Cut(f, "=")
		var err error
		switch k {
		case "percent":
			_, err = fmt.Sscan(val, &ds.Percent)
		case "key":
			ds.Key = val
		case "seed":
			_, err = fmt.Sscan(val, &ds.Seed)
		case "last":
			var days int
			_, err = fmt.Sscanf(val, "%dd", &days)
			ds.PartitionsLast = time.Duration(days) * 24 * time.Hour
		case "min":
			ds.MinTableBytes, err = catalog.ParseSize(val)
		default:
			err = fmt.Errorf("unknown sample setting %q", k)
		}
		if err != nil {
			t.Fatalf("-- sample: %s: %v", v, err)
		}
	}
	return ds
}

func readCases(t *testing.T, path string) []goldenCase {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenCase
	for _, chunk := range strings.Split(string(data), "-- case: ")[1:] {
		name, body, _ := strings.Cut(chunk, "\n")
		c := goldenCase{name: strings.TrimSpace(name)}
		for {
			line, rest, _ := strings.Cut(body, "\n")
			if v, ok := strings.CutPrefix(line, "-- session: "); ok {
				c.session.Catalog, c.session.Schema, _ = strings.Cut(strings.TrimSpace(v), " ")
			} else if v, ok := strings.CutPrefix(line, "-- seed: "); ok {
				fmt.Sscan(v, &c.seed)
			} else if v, ok := strings.CutPrefix(line, "-- mode: "); ok {
				c.mode = Mode(strings.TrimSpace(v))
			} else if v, ok := strings.CutPrefix(line, "-- sample: "); ok {
				c.sample = parseSample(t, v)
			} else if v, ok := strings.CutPrefix(line, "-- budget: "); ok {
				var err error
				if c.budget.MaxScanBytes, err = catalog.ParseSize(strings.TrimSpace(v)); err != nil {
					t.Fatal(err)
				}
				c.budget.OptOutAllowed = true
			} else if line == "-- no-opt-out" {
				c.noOpt = true
				c.budget.OptOutAllowed = false
			} else {
				break
			}
			body = rest
		}
		c.sql = strings.TrimRight(body, "\n")
		cases = append(cases, c)
	}
	return cases
}

func testEngine(t testing.TB) *Engine {
	t.Helper()
	return testEngineWith(t, Options{})
}

func testEngineWith(t testing.TB, opts Options) *Engine {
	t.Helper()
	cat, err := catalog.LoadStatic("../catalog/testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return NewEngine(cat, opts, zap.NewNop())
}

// render writes a result the way the golden files hold it.
func render(c goldenCase, r *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "== %s\n", c.name)
	fmt.Fprintf(&b, "decision: %s\n", r.Decision)
	fmt.Fprintf(&b, "rules: %s\n", strings.Join(r.Rules, ", "))
	fmt.Fprintf(&b, "reason: %s\n", r.Reason)
	fmt.Fprintf(&b, "bytes: %d -> %d\n", r.Estimate.BytesBefore, r.Estimate.BytesAfter)
	for _, t := range r.Tables {
		pct := "-"
		if t.SamplePercent != nil {
			pct = formatPercent(*t.SamplePercent) + "%"
		}
		fmt.Fprintf(&b, "table: %s sample=%s partitions=%d/%d rows=%d->%d\n", t.Name, pct, t.PartitionsSelected, t.PartitionsTotal, t.RowsBefore, t.RowsAfter)
		if t.Sample != "" {
			fmt.Fprintf(&b, "dev sample: %s\n", t.Sample)
		}
	}
	if r.Approximate {
		b.WriteString("approximate: true\n")
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	if r.MinRows > 0 {
		fmt.Fprintf(&b, "min_rows: %d fallbacks: %d\n", r.MinRows, len(r.Fallbacks))
	}
	if r.Changed {
		fmt.Fprintf(&b, "--\n%s\n", r.Rewritten)
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	engine := testEngine(t)
	for _, dialect := range []stmt.Dialect{stmt.Trino, stmt.BigQuery} {
		files, _ := filepath.Glob(filepath.Join("testdata", string(dialect), "*.sql"))
		if len(files) == 0 {
			t.Fatalf("no golden inputs for %s", dialect)
		}
		for _, file := range files {
			t.Run(filepath.Base(file), func(t *testing.T) {
				var out strings.Builder
				for _, c := range readCases(t, file) {
					res, err := engine.Rewrite(context.Background(), c.request(dialect))
					if err != nil {
						t.Fatalf("%s: %v", c.name, err)
					}
					checkInvariants(t, c.name, res)
					out.WriteString(render(c, res))
					out.WriteString("\n")
				}
				golden := strings.TrimSuffix(file, ".sql") + ".golden"
				if *update {
					if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./rewrite -run TestGolden -update to create it)", err)
				}
				if got := out.String(); got != string(want) {
					t.Errorf("%s differs from %s:\n%s", file, golden, lineDiff(string(want), got))
				}
			})
		}
	}
}

// checkInvariants holds for every result, whatever the statement.
func checkInvariants(t *testing.T, name string, r *Result) {
	t.Helper()
	if r.Decision != Rewrite && r.Rewritten != r.Original {
		t.Errorf("%s: a %s changed the text", name, r.Decision)
	}
	if r.Changed != (r.Rewritten != r.Original) {
		t.Errorf("%s: changed = %v disagrees with the text", name, r.Changed)
	}
	if r.Reason == "" {
		t.Errorf("%s: no reason", name)
	}
	if r.Decision == Rewrite {
		// A dev sample may read a sampling key the statement did not, to
		// be reproducible; rules that keep answers never read more.
		if r.Estimate.BytesAfter > r.Estimate.BytesBefore && !r.Approximate {
			t.Errorf("%s: a rewrite reads more (%d > %d)", name, r.Estimate.BytesAfter, r.Estimate.BytesBefore)
		}
		switch {
		case r.Approximate:
			for _, f := range r.Fallbacks {
				if f == r.Original {
					t.Errorf("%s: a fallback of a dev-sampled statement drops the dev sample", name)
				}
			}
		case len(r.Fallbacks) == 0 || r.Fallbacks[len(r.Fallbacks)-1] != r.Original:
			t.Errorf("%s: the last fallback must be the original statement", name)
		}
		// memefish cannot parse BigQuery's TABLESAMPLE SYSTEM.
		if r.Dialect == stmt.Trino {
			for _, sql := range append([]string{r.Rewritten}, r.Fallbacks...) {
				if _, err := parse(Request{SQL: sql, Dialect: r.Dialect}); err != nil {
					t.Errorf("%s: rewritten statement does not parse: %v\n%s", name, err, sql)
				}
			}
		}
	}
}

// lineDiff shows the first differing lines of two golden texts.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n-want %s\n+got  %s", i+1, wl, gl)
		}
	}
	return ""
}
