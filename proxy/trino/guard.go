package trino

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/skimdata/skim/rewrite"
)

// A rewritten ORDER BY rand() LIMIT n must still return n rows, yet a SYSTEM
// sample can come back short. The guard makes that impossible to see from
// the client, without keeping state in skim:
//
//   - On POST, skim posts the rewritten statement and each fallback (a larger
//     sample, then the original). Trino queues a posted query and starts it
//     only when its first page is fetched, so the fallbacks cost nothing
//     unless they run.
//   - The client's nextUri is a guard URL holding the queued URLs of all
//     attempts and the page to fetch next.
//   - Serving a guard URL, skim fetches the current attempt's pages itself.
//     While no rows have arrived it answers with an empty page and a new
//     guard URL at most every GuardPoll, so the client polls as usual. Once
//     rows arrive they all come at once (ORDER BY rand() LIMIT emits its rows
//     at the end), and skim collects them until it has n or the attempt
//     finishes. With n rows, the rest of the query streams as any other and
//     the unused attempts are cancelled. An attempt that finishes short is
//     dropped and the next one starts; the last, the original statement,
//     is the answer whatever it returns.
//
// Guarded queries use Trino's direct protocol, so skim can count rows.

// guardState is everything a guard URL carries.
type guardState struct {
	// Attempts are the coordinator paths of each attempt's queued page.
	Attempts []string `json:"a"`
	// Index is the attempt running now; Next the page to fetch next.
	Index   int    `json:"i"`
	Next    string `json:"n"`
	MinRows int64  `json:"m"`
	Note    *note  `json:"t"`
}

func (s *Server) guardURL(r *http.Request, st guardState) string {
	b, _ := json.Marshal(st)
	return s.publicBase(r) + guardPrefix + s.up.name + "/" + base64.RawURLEncoding.EncodeToString(b)
}

func parseGuard(path string) (name string, st guardState, err error) {
	name, enc, ok := strings.Cut(strings.TrimPrefix(path, guardPrefix), "/")
	if !ok {
		return "", st, fmt.Errorf("malformed guard path")
	}
	b, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return "", st, fmt.Errorf("malformed guard path: %w", err)
	}
	if err := json.Unmarshal(b, &st); err != nil || len(st.Attempts) == 0 || st.Index < 0 || st.Index >= len(st.Attempts) {
		return "", st, fmt.Errorf("malformed guard state")
	}
	return name, st, nil
}

// page is a QueryResults document, kept as raw fields so everything skim
// does not touch passes on unchanged.
type page map[string]json.RawMessage

func (p page) str(key string) string {
	var v string
	if raw, ok := p[key]; ok {
		_ = json.Unmarshal(raw, &v)
	}
	return v
}

func (p page) setStr(key, v string) {
	if v == "" {
		delete(p, key)
		return
	}
	b, _ := json.Marshal(v)
	p[key] = b
}

func readPage(resp *http.Response) (page, error) {
	defer resp.Body.Close()
	var p page
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<30)).Decode(&p); err != nil {
		return nil, fmt.Errorf("reading a page from the coordinator: %w", err)
	}
	return p, nil
}

// startGuard posts every attempt and answers with the first attempt's
// queued page, its nextUri replaced by a guard URL.
func (s *Server) startGuard(w http.ResponseWriter, r *http.Request, res *rewrite.Result, n *note, statement func(string) (*http.Request, error)) {
	st := guardState{MinRows: res.MinRows, Note: n}
	var first page
	var firstHeader http.Header
	for i, sql := range append([]string{res.Rewritten}, res.Fallbacks...) {
		out, err := statement(sql)
		if err != nil {
			s.cancelAttempts(st.Attempts)
			s.fail(w, r, upstreamError(err))
			return
		}
		out.Header.Del("X-Trino-Query-Data-Encoding")
		resp, err := s.client.Do(out)
		if err != nil {
			s.cancelAttempts(st.Attempts)
			if r.Context().Err() == nil {
				s.fail(w, r, upstreamError(err))
			}
			return
		}
		if resp.StatusCode != http.StatusOK {
			// The coordinator refused (overloaded, unauthorized, ...):
			// the client sees its answer as it is and may retry.
			s.cancelAttempts(st.Attempts)
			copyHeaders(w.Header(), resp.Header)
			w.WriteHeader(resp.StatusCode)
			_ = stream(w, resp.Body)
			resp.Body.Close()
			return
		}
		p, err := readPage(resp)
		if err != nil {
			s.cancelAttempts(st.Attempts)
			s.fail(w, r, upstreamError(err))
			return
		}
		next := p.str("nextUri")
		if _, hasErr := p["error"]; hasErr || next == "" {
			// The statement failed at once (a syntax or permission error):
			// show the first attempt's failure, or, for a fallback, the
			// client gets its first attempt and no guard.
			s.cancelAttempts(st.Attempts)
			if i == 0 {
				s.writePage(w, r, resp.Header, p, "", n)
				return
			}
			s.log.Warn("a fallback statement was refused; the row count is not guarded", zap.Int("attempt", i))
			break
		}
		st.Attempts = append(st.Attempts, coordinatorPath(next))
		if i == 0 {
			first, firstHeader = p, resp.Header
		}
	}
	if first == nil {
		return
	}
	st.Next = st.Attempts[0]
	s.writePage(w, r, firstHeader, first, s.guardURL(r, st), n)
}

// guardPage serves a guard URL.
func (s *Server) guardPage(w http.ResponseWriter, r *http.Request) {
	name, st, err := parseGuard(r.URL.EscapedPath())
	if err != nil || name != s.up.name {
		http.Error(w, "skim: unknown query path; it was not issued by this skim", http.StatusNotFound)
		return
	}
	switch r.Method {
	case http.MethodDelete:
		s.ended(st.Note, pageSummary{errMessage: "cancelled by the client"})
		s.cancelAttempts(append([]string{st.Next}, st.Attempts[st.Index+1:]...))
		w.WriteHeader(http.StatusNoContent)
		return
	case http.MethodHead:
		w.WriteHeader(http.StatusOK)
		return
	}
	start := time.Now()
	var rows []json.RawMessage
	for {
		out, err := s.outgoing(r.Context(), r, http.MethodGet, s.up.target(st.Next), "", nil, "")
		if err != nil {
			s.fail(w, r, upstreamError(err))
			return
		}
		out.Header.Del("X-Trino-Query-Data-Encoding")
		resp, err := s.client.Do(out)
		if err != nil {
			s.cancelAttempts(append([]string{st.Next}, st.Attempts[st.Index+1:]...))
			if r.Context().Err() == nil {
				s.fail(w, r, upstreamError(err))
			}
			return
		}
		if resp.StatusCode != http.StatusOK {
			// 502/503 from the coordinator: the client retries this same
			// guard URL, which fetches the same page again.
			copyHeaders(w.Header(), resp.Header)
			w.WriteHeader(resp.StatusCode)
			_ = stream(w, resp.Body)
			resp.Body.Close()
			return
		}
		header := resp.Header
		p, err := readPage(resp)
		if err != nil {
			s.fail(w, r, upstreamError(err))
			return
		}
		mergeTrinoHeaders(w.Header(), header)
		if _, failed := p["error"]; failed {
			s.cancelAttempts(st.Attempts[st.Index+1:])
			s.writePage(w, r, header, p, "", st.Note)
			return
		}
		var data []json.RawMessage
		if raw, ok := p["data"]; ok {
			_ = json.Unmarshal(raw, &data)
		}
		rows = append(rows, data...)
		next := p.str("nextUri")
		last := st.Index == len(st.Attempts)-1
		switch {
		case int64(len(rows)) >= st.MinRows || next == "" && last:
			// Enough rows, or the original statement's own answer.
			s.cancelAttempts(st.Attempts[st.Index+1:])
			setRows(p, rows)
			s.writePage(w, r, header, p, s.clientNext(r, next, st.Note), st.Note)
			return
		case next == "":
			s.log.Info("a sample came back short; running the fallback",
				zap.Int64("rows", int64(len(rows))), zap.Int64("wanted", st.MinRows), zap.Int("attempt", st.Index+1))
			st.Index++
			st.Next = st.Attempts[st.Index]
			rows = nil
		default:
			st.Next = coordinatorPath(next)
		}
		if len(rows) == 0 && time.Since(start) >= s.opts.GuardPoll {
			delete(p, "data")
			markRunning(p)
			s.writePage(w, r, header, p, s.guardURL(r, st), st.Note)
			return
		}
	}
}

// clientNext maps the coordinator's nextUri for the client, "" when the
// query is over.
func (s *Server) clientNext(r *http.Request, next string, n *note) string {
	if next == "" {
		return ""
	}
	return s.up.clientURI(s.up.pageBase(s.publicBase(r), n), next)
}

// writePage answers with one page: URLs mapped, nextUri set to next (or
// removed), skim's warning added.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, header http.Header, p page, next string, n *note) {
	base := s.up.pageBase(s.publicBase(r), n)
	for _, key := range []string{"infoUri", "partialCancelUri"} {
		if v := p.str(key); v != "" {
			p.setStr(key, s.up.clientURI(base, v))
		}
	}
	p.setStr("nextUri", next)
	s.observe(n, summarize(p), next == "")
	if n != nil && n.Warning != "" {
		var warnings []json.RawMessage
		if raw, ok := p["warnings"]; ok {
			_ = json.Unmarshal(raw, &warnings)
		}
		warnings = append(warnings, warningJSON(n))
		p["warnings"], _ = json.Marshal(warnings)
	}
	if n.rewritten() {
		w.Header().Set("X-Skim-Rewrite", strings.Join(n.Rules, ","))
	}
	copyHeaders(w.Header(), header)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(p)
}

// summarize reads what a page says about its query.
func summarize(p page) pageSummary {
	sum := pageSummary{queryID: p.str("id")}
	var data []json.RawMessage
	if raw, ok := p["data"]; ok && json.Unmarshal(raw, &data) == nil {
		sum.rows = int64(len(data))
	}
	var stats struct {
		State          string `json:"state"`
		ProcessedBytes *int64 `json:"processedBytes"`
	}
	if raw, ok := p["stats"]; ok && json.Unmarshal(raw, &stats) == nil {
		sum.state = stats.State
		if stats.ProcessedBytes != nil {
			sum.processedBytes, sum.hasProcessed = *stats.ProcessedBytes, true
		}
	}
	var qe struct {
		Message string `json:"message"`
	}
	if raw, ok := p["error"]; ok && json.Unmarshal(raw, &qe) == nil {
		sum.errMessage = qe.Message
	}
	return sum
}

func setRows(p page, rows []json.RawMessage) {
	if len(rows) == 0 {
		delete(p, "data")
		return
	}
	p["data"], _ = json.Marshal(rows)
}

// markRunning reports a page skim holds back as still running.
func markRunning(p page) {
	var stats map[string]json.RawMessage
	if err := json.Unmarshal(p["stats"], &stats); err != nil {
		return
	}
	stats["state"] = json.RawMessage(`"RUNNING"`)
	p["stats"], _ = json.Marshal(stats)
}

// mergeTrinoHeaders adds the coordinator's session-changing headers of a
// page skim consumed, so the client still applies them.
func mergeTrinoHeaders(dst, src http.Header) {
	for k, vs := range src {
		if strings.HasPrefix(k, "X-Trino-") {
			for _, v := range vs {
				dst.Add(k, v)
			}
		}
	}
}

// coordinatorPath is the path and query of a coordinator URL.
func coordinatorPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	p := u.EscapedPath()
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}

// cancelAttempts cancels queued or running attempts by their page paths.
func (s *Server) cancelAttempts(paths []string) {
	for _, p := range paths {
		s.cancelURL(s.up.target(p))
	}
}
