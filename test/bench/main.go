// Command bench measures what skim costs a Trino client, in one run:
//
//   - added first-page latency: p50 and p99 of POST /v1/statement of a small
//     passthrough statement, through skim and straight to the server;
//   - throughput: bytes per second of the HTTP bodies a client reads while
//     streaming a ~1 GB result through skim and straight from the server;
//   - skim's peak RSS (VmHWM of the skim process) while 100 clients each
//     stream ~100 MB through it at once.
//
// Everything is real: a throwaway PostgreSQL, the Trino-protocol test server
// (test/trinoserver) in this process, and skim built from cmd/skim and run
// as a child process (`skim serve`), so its memory is its own.
//
// Run it from the repository root, on a machine with PostgreSQL installed
// (as for the e2e tests); it takes a few minutes:
//
//	test/bench/run.sh                     # or: go run ./test/bench
//	go run ./test/bench -clients 20 -client-rows 100000   # a quicker run
//
// Figures are printed to stdout and compared with the targets: under 1 ms
// added at p50, a throughput ratio of at least 0.95, peak RSS under 200 MB.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"

	"github.com/skimdata/skim/test/postgres"
	"github.com/skimdata/skim/test/trinoserver"
)

func main() {
	var o options
	flag.IntVar(&o.posts, "posts", 500, "POSTs measured for first-page latency, each way")
	flag.IntVar(&o.bigRows, "big-rows", 4_500_000, "rows of the large result (about 212 bytes of JSON each)")
	flag.IntVar(&o.runs, "runs", 2, "large-result runs each way; the best of each counts")
	flag.IntVar(&o.clients, "clients", 100, "concurrent clients while skim's memory is measured")
	flag.IntVar(&o.clientRows, "client-rows", 450_000, "rows each concurrent client streams")
	flag.StringVar(&o.skim, "skim", "", "skim binary to run (default: build ./cmd/skim)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type options struct {
	posts, bigRows, runs, clients, clientRows int
	skim                                      string
}

// The statements: a small passthrough read, and rows of about 212 bytes of
// JSON made by PostgreSQL itself.
const (
	smallQuery = "SELECT id, country, plan FROM web.users WHERE id = 42"
	rowsQuery  = "SELECT x, repeat('x', 200) AS pad FROM generate_series(1, %d) AS x"
)

func run(o options) error {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "skim-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// PostgreSQL runs as the postgres user when we are root: it must be
	// able to enter its data directory's parent.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}

	step("starting PostgreSQL")
	pg, err := startPostgres(ctx, filepath.Join(tmp, "pg"), o.clients+20)
	if err != nil {
		return err
	}
	defer pg.Stop()
	cfg, err := pgxpool.ParseConfig(pg.DSN())
	if err != nil {
		return err
	}
	cfg.MaxConns = int32(o.clients + 10)
	cfg.ConnConfig.RuntimeParams["jit"] = "off"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	demo := trinoserver.DemoOptions{Days: 2, RowsPerDay: 10_000}
	if err := trinoserver.LoadDemo(ctx, pool, demo, zap.NewNop()); err != nil {
		return err
	}
	catalogYAML, err := trinoserver.DemoCatalog(ctx, pool, "demo")
	if err != nil {
		return err
	}
	catalogFile := filepath.Join(tmp, "catalog.yaml")
	if err := os.WriteFile(catalogFile, catalogYAML, 0o644); err != nil {
		return err
	}
	upstream := httptest.NewServer(trinoserver.New(pool, trinoserver.Options{}, zap.NewNop()))
	defer upstream.Close()

	bin := o.skim
	if bin == "" {
		step("building cmd/skim")
		if bin, err = buildSkim(tmp); err != nil {
			return err
		}
	}
	skim, err := startSkim(bin, upstream.URL, catalogFile, filepath.Join(tmp, "skim.log"))
	if err != nil {
		return err
	}
	defer skim.stop()
	idleRSS, _ := skim.status("VmRSS")

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.clients + 10, DisableCompression: true}}

	step(fmt.Sprintf("first-page latency: %d POSTs each way", o.posts))
	direct, via, err := latency(client, upstream.URL, skim.url, o.posts)
	if err != nil {
		return err
	}

	step(fmt.Sprintf("throughput: %d rows, %d runs each way", o.bigRows, o.runs))
	query := fmt.Sprintf(rowsQuery, o.bigRows)
	var best [2]result
	var skimCPU time.Duration
	var skimBytes int64
	for i := 0; i < 2*o.runs; i++ {
		base := []string{upstream.URL, skim.url}[i%2]
		cpu := skim.cpu()
		r, err := stream(client, base, query)
		if err != nil {
			return err
		}
		step(fmt.Sprintf("  %-6s %s in %s: %.1f MB/s", []string{"direct", "skim"}[i%2], mb(r.bytes), r.took.Round(time.Millisecond), r.rate()/1e6))
		if i%2 == 1 {
			skimCPU += skim.cpu() - cpu
			skimBytes += r.bytes
		}
		if r.rate() > best[i%2].rate() {
			best[i%2] = r
		}
	}

	step(fmt.Sprintf("memory: %d clients streaming %d rows each through skim", o.clients, o.clientRows))
	load, err := concurrent(client, skim, fmt.Sprintf(rowsQuery, o.clientRows), o.clients)
	if err != nil {
		return err
	}
	hwm, err := skim.status("VmHWM")
	if err != nil {
		return err
	}

	p50, p99 := direct.percentile(50), direct.percentile(99)
	s50, s99 := via.percentile(50), via.percentile(99)
	added := s50 - p50
	ratio := best[1].rate() / best[0].rate()
	fmt.Printf("\nskim benchmark (%s, %d CPUs)\n", time.Now().Format(time.DateTime), runtime.NumCPU())
	fmt.Printf("first-page latency, %d POSTs: direct p50 %s p99 %s; through skim p50 %s p99 %s\n", o.posts, ms(p50), ms(p99), ms(s50), ms(s99))
	fmt.Printf("  added by skim: p50 %s, p99 %s   (target: under 1 ms at p50: %s)\n", ms(added), ms(s99-p99), verdict(added < time.Millisecond))
	fmt.Printf("throughput, %s result: direct %.1f MB/s, through skim %.1f MB/s\n", mb(best[0].bytes), best[0].rate()/1e6, best[1].rate()/1e6)
	fmt.Printf("  ratio %.3f   (target: at least 0.95: %s); skim used %.2f CPU-seconds per GB streamed\n",
		ratio, verdict(ratio >= 0.95), skimCPU.Seconds()/(float64(skimBytes)/1e9))
	fmt.Printf("memory, %d concurrent clients × %s (%s in %s, %.1f MB/s in all): skim peak RSS (VmHWM) %s, idle %s\n",
		o.clients, mb(load.bytes/int64(o.clients)), mb(load.bytes), load.took.Round(time.Millisecond), load.rate()/1e6, mb(hwm), mb(idleRSS))
	fmt.Printf("  (target: under 200 MB: %s)\n", verdict(hwm < 200<<20))
	return nil
}

func step(s string) { fmt.Fprintf(os.Stderr, "bench: %s\n", s) }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond)) }

func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }

// startPostgres starts PostgreSQL in dir allowing maxConns connections,
// which takes a restart: max_connections is read only at startup.
func startPostgres(ctx context.Context, dir string, maxConns int) (*postgres.Server, error) {
	pg, err := postgres.Start(ctx, postgres.Options{Dir: dir}, zap.NewNop())
	if err != nil {
		return nil, err
	}
	err = pgxExec(ctx, pg.DSN(), fmt.Sprintf("ALTER SYSTEM SET max_connections = %d", maxConns))
	if stopErr := pg.Stop(); err == nil {
		err = stopErr
	}
	if err != nil {
		return nil, err
	}
	return postgres.Start(ctx, postgres.Options{Dir: dir}, zap.NewNop())
}

func pgxExec(ctx context.Context, dsn, sql string) error {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	_, err = pool.Exec(ctx, sql)
	return err
}

// buildSkim builds cmd/skim of the module this command belongs to.
func buildSkim(dir string) (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" || strings.TrimSpace(string(out)) == os.DevNull {
		return "", fmt.Errorf("finding the skim module (run from the repository): %v", err)
	}
	bin := filepath.Join(dir, "skim")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/skim")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(out)))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building cmd/skim: %w", err)
	}
	return bin, nil
}

// skimProcess is `skim serve` running as a child process.
type skimProcess struct {
	cmd     *exec.Cmd
	url     string
	logFile string
	exited  chan struct{}
}

func startSkim(bin, upstream, catalogFile, logFile string) (*skimProcess, error) {
	trinoPort, err := freePort()
	if err != nil {
		return nil, err
	}
	adminPort, err := freePort()
	if err != nil {
		return nil, err
	}
	log, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	defer log.Close() // the child has its own descriptor
	addr := "127.0.0.1:" + strconv.Itoa(trinoPort)
	cmd := exec.Command(bin, "serve", "--trino-listen", addr, "--trino-upstream", upstream,
		"--catalog", catalogFile, "--admin-listen", "127.0.0.1:"+strconv.Itoa(adminPort))
	cmd.Stdout, cmd.Stderr = log, log
	// Never leave skim behind if the benchmark dies.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	p := &skimProcess{cmd: cmd, url: "http://" + addr, logFile: logFile, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait() // the log says why, if it matters
		close(p.exited)
	}()
	// Ready once it forwards /v1/info to the server.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		select {
		case <-p.exited:
			return nil, fmt.Errorf("skim exited at startup; see %s", p.tail())
		default:
		}
		if resp, err := http.Get(p.url + "/v1/info"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("skim did not answer on %s within 30 s: %s", addr, p.tail())
		}
	}
}

func (p *skimProcess) tail() string {
	b, _ := os.ReadFile(p.logFile)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

func (p *skimProcess) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// status reads a size field (in kB) of the process's /proc status.
func (p *skimProcess) status(field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, p.cmd.Process.Pid)
}

// cpu is the CPU time the process has used, user and system, from
// /proc/PID/stat in clock ticks of 1/100 s (Linux's USER_HZ).
func (p *skimProcess) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which ends with ')': state is the
	// first, utime the 12th and stime the 13th.
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// durations are latency samples.
type durations []time.Duration

func (d durations) percentile(p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}

// latency times POSTs of the small statement, alternating between the
// server and skim so that both see the same conditions. Each POST's query
// is cancelled afterwards, untimed.
func latency(client *http.Client, direct, skim string, n int) (durations, durations, error) {
	var d, s durations
	const warmup = 50
	for i := 0; i < warmup+n; i++ {
		for j, base := range []string{direct, skim} {
			start := time.Now()
			body, err := do(client, http.MethodPost, base+"/v1/statement", smallQuery)
			took := time.Since(start)
			if err != nil {
				return nil, nil, err
			}
			var page struct {
				NextURI string `json:"nextUri"`
			}
			if err := json.Unmarshal(body, &page); err != nil || page.NextURI == "" {
				return nil, nil, fmt.Errorf("POST to %s: no nextUri in %.200s", base, body)
			}
			if _, err := do(client, http.MethodDelete, page.NextURI, ""); err != nil {
				return nil, nil, err
			}
			if i < warmup {
				continue
			}
			if j == 0 {
				d = append(d, took)
			} else {
				s = append(s, took)
			}
		}
	}
	return d, s, nil
}

func do(client *http.Client, method, url, body string) ([]byte, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	setHeaders(req)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: %s: %.200s", method, url, resp.Status, b)
	}
	return b, nil
}

func setHeaders(req *http.Request) {
	req.Header.Set("X-Trino-User", "bench")
	req.Header.Set("X-Trino-Catalog", "demo")
	req.Header.Set("X-Trino-Schema", "web")
}

// result is one or more streamed queries: body bytes read and wall time.
type result struct {
	bytes int64
	took  time.Duration
}

func (r result) rate() float64 {
	if r.took <= 0 {
		return 0
	}
	return float64(r.bytes) / r.took.Seconds()
}

// stream runs a query and reads every page's body to the end.
func stream(client *http.Client, base, query string) (result, error) {
	start := time.Now()
	var total int64
	buf := make([]byte, 0, 1<<20)
	method, url, body := http.MethodPost, base+"/v1/statement", query
	state := ""
	for url != "" {
		req, err := http.NewRequest(method, url, strings.NewReader(body))
		if err != nil {
			return result{}, err
		}
		setHeaders(req)
		resp, err := client.Do(req)
		if err != nil {
			return result{}, err
		}
		b := bytes.NewBuffer(buf[:0])
		n, err := b.ReadFrom(resp.Body)
		resp.Body.Close()
		if err != nil {
			return result{}, err
		}
		if resp.StatusCode != http.StatusOK {
			return result{}, fmt.Errorf("%s %s: %s: %.200s", method, url, resp.Status, b.Bytes())
		}
		total += n
		buf = b.Bytes()
		url, state = pageFields(buf)
		method, body = http.MethodGet, ""
	}
	if state != "FINISHED" {
		return result{}, fmt.Errorf("%s: the query ended %s", base, state)
	}
	return result{bytes: total, took: time.Since(start)}, nil
}

// pageFields finds a page's top-level nextUri and the state in its last
// bytes without decoding the rows: the server and skim both write id,
// infoUri and nextUri before columns and data, and stats after them. A
// full decode would cost the client more CPU than skim spends.
func pageFields(page []byte) (nextURI, state string) {
	head := page
	if i := bytes.Index(page, []byte(`"data":`)); i >= 0 {
		head = page[:i]
	}
	if i := bytes.Index(head, []byte(`"nextUri":"`)); i >= 0 {
		rest := head[i+len(`"nextUri":"`):]
		if j := bytes.IndexByte(rest, '"'); j >= 0 {
			nextURI = string(rest[:j])
		}
	}
	if i := bytes.LastIndex(page, []byte(`"state":"`)); i >= 0 {
		rest := page[i+len(`"state":"`):]
		if j := bytes.IndexByte(rest, '"'); j >= 0 {
			state = string(rest[:j])
		}
	}
	return nextURI, state
}

// concurrent streams query from n clients at once through skim.
func concurrent(client *http.Client, skim *skimProcess, query string, n int) (result, error) {
	start := time.Now()
	var total atomic.Int64
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := stream(client, skim.url, query)
			total.Add(r.bytes)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		if err != nil {
			all = append(all, err)
		}
	}
	if err := errors.Join(all...); err != nil {
		return result{}, fmt.Errorf("%d of %d clients failed: %w", len(all), n, err)
	}
	return result{bytes: total.Load(), took: time.Since(start)}, nil
}
