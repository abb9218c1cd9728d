package trinoserver

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/skimdata/skim/test/sqltext"
)

// Trino's response headers for session changes.
const (
	headerSetCatalog         = "X-Trino-Set-Catalog"
	headerSetSchema          = "X-Trino-Set-Schema"
	headerSetSession         = "X-Trino-Set-Session"
	headerClearSession       = "X-Trino-Clear-Session"
	headerStartedTransaction = "X-Trino-Started-Transaction-Id"
	headerClearTransaction   = "X-Trino-Clear-Transaction-Id"
	headerAddedPrepare       = "X-Trino-Added-Prepare"
	headerDeallocatedPrepare = "X-Trino-Deallocated-Prepare"
)

// session is the client state a statement request carries in its headers.
type session struct {
	catalog, schema string
	// transactionID is the X-Trino-Transaction-Id header; hasTransaction
	// says whether it was sent at all ("NONE" means none open).
	transactionID  string
	hasTransaction bool
	// prepared maps statement names to their SQL, from
	// X-Trino-Prepared-Statement.
	prepared map[string]string
}

// plan is what a statement will do, decided when it is received.
type plan struct {
	// statement is the Trino statement that runs: the request's SQL, or
	// for EXECUTE the prepared statement with its parameters bound.
	statement string
	// executed is the PostgreSQL statement to run; empty for statements
	// this server answers itself (SET SESSION, USE, PREPARE, ...).
	executed string
	// updateType and headers are the result of a statement answered here.
	updateType string
	headers    http.Header
	// failure is reported on the first page the client polls after QUEUED.
	failure *failure
	// noTransaction marks statements PostgreSQL refuses inside a
	// transaction block (VACUUM, CREATE DATABASE, ... CONCURRENTLY); they
	// run without one, so their bytes read are not measured.
	noTransaction bool
	// partitions are the $partitions tables executed reads, created in
	// its transaction before it runs.
	partitions []partitionsTable
}

// planStatement parses the SQL of a request.
func planStatement(sql string, sess session) *plan {
	p := &plan{statement: sql, headers: http.Header{}}
	toks, err := sqltext.Trino.Lex(sql)
	if err == nil {
		toks, err = trimStatement(toks)
	}
	if err != nil {
		p.failure = fail(syntaxError, err.Error())
		return p
	}
	if err := p.decide(toks, sess, true); err != nil {
		p.failure = toFailure(err)
	}
	return p
}

// decide fills in the plan for one trimmed statement. EXECUTE resolves to
// a prepared statement that is decided in turn, but cannot be an EXECUTE.
func (p *plan) decide(toks []sqltext.Token, sess session, allowExecute bool) error {
	idx := sqltext.Significant(toks) // token indexes of the words
	w := func(k int) sqltext.Token {
		if k >= len(idx) {
			return sqltext.Token{Kind: sqltext.Space}
		}
		return toks[idx[k]]
	}
	rest := func(k int) []sqltext.Token { // the tokens from word k on
		if k >= len(idx) {
			return nil
		}
		return toks[idx[k]:]
	}
	if len(idx) == 0 {
		return fail(syntaxError, "the statement is empty")
	}

	switch {
	case w(0).Is("start") && w(1).Is("transaction"):
		if !sess.hasTransaction {
			return fail(incompatibleClient, "START TRANSACTION is not supported by this client: it sent no X-Trino-Transaction-Id header")
		}
		p.headers.Set(headerStartedTransaction, newUUID())
		p.updateType = "START TRANSACTION"
	case w(0).Is("commit") || w(0).Is("rollback"):
		if sess.transactionID == "" || strings.EqualFold(sess.transactionID, "NONE") {
			return fail(notInTransaction, "No transaction in progress")
		}
		p.headers.Set(headerClearTransaction, "true")
		p.updateType = strings.ToUpper(w(0).Text)
	case w(0).Is("set") && w(1).Is("session"):
		name, k := dottedName(w, 2)
		if name == "" || w(k).Text != "=" || k+1 >= len(idx) {
			return fail(syntaxError, "expected SET SESSION name = value")
		}
		value := strings.TrimSpace(sqltext.Join(rest(k + 1)))
		if k+2 == len(idx) && w(k+1).Kind == sqltext.String {
			value = stringValue(w(k + 1))
		}
		p.headers.Add(headerSetSession, name+"="+url.QueryEscape(value))
		p.updateType = "SET SESSION"
	case w(0).Is("reset") && w(1).Is("session"):
		name, k := dottedName(w, 2)
		if name == "" || k != len(idx) {
			return fail(syntaxError, "expected RESET SESSION name")
		}
		p.headers.Add(headerClearSession, name)
		p.updateType = "RESET SESSION"
	case w(0).Is("use"):
		catalog, schema := sess.catalog, ""
		switch {
		case len(idx) == 2 && w(1).IsName():
			schema = nameOf(w(1))
		case len(idx) == 4 && w(1).IsName() && w(2).Text == "." && w(3).IsName():
			catalog, schema = nameOf(w(1)), nameOf(w(3))
		default:
			return fail(syntaxError, "expected USE schema or USE catalog.schema")
		}
		if catalog == "" {
			return fail(missingCatalogName, "Catalog must be specified when session catalog is not set")
		}
		p.headers.Set(headerSetCatalog, catalog)
		p.headers.Set(headerSetSchema, schema)
		p.updateType = "USE"
	case w(0).Is("prepare"):
		if !w(1).IsName() || !w(2).Is("from") || len(idx) < 4 {
			return fail(syntaxError, "expected PREPARE name FROM statement")
		}
		p.headers.Add(headerAddedPrepare, url.QueryEscape(nameOf(w(1)))+"="+url.QueryEscape(sqltext.Join(rest(3))))
		p.updateType = "PREPARE"
	case w(0).Is("deallocate") && w(1).Is("prepare"):
		if !w(2).IsName() || len(idx) != 3 {
			return fail(syntaxError, "expected DEALLOCATE PREPARE name")
		}
		p.headers.Add(headerDeallocatedPrepare, url.QueryEscape(nameOf(w(2))))
		p.updateType = "DEALLOCATE"
	case w(0).Is("execute") && allowExecute:
		return p.execute(w, rest, len(idx), sess)
	case w(0).Is("show") && w(1).Is("stats") && w(2).Is("for"):
		return p.showStats(w, len(idx))
	default:
		p.executed, p.partitions = translate(toks)
		p.noTransaction = refusesTransaction(w, len(idx))
	}
	return nil
}

// execute resolves EXECUTE name [USING ...] and EXECUTE IMMEDIATE 'sql'
// [USING ...] to the statement they run.
func (p *plan) execute(w func(int) sqltext.Token, rest func(int) []sqltext.Token, n int, sess session) error {
	var sql string
	k := 2
	switch {
	case w(1).Is("immediate") && w(2).Kind == sqltext.String:
		sql, k = stringValue(w(2)), 3
	case w(1).IsName():
		name := nameOf(w(1))
		var ok bool
		if sql, ok = sess.lookupPrepared(name); !ok {
			return fail(notFound, "Prepared statement not found: "+name)
		}
	default:
		return fail(syntaxError, "expected EXECUTE name [USING parameters]")
	}
	var args []string
	if k < n {
		if !w(k).Is("using") || k+1 >= n {
			return fail(syntaxError, "expected USING and parameters after EXECUTE "+w(1).Text)
		}
		args = splitArguments(rest(k + 1))
	}
	toks, err := sqltext.Trino.Lex(sql)
	if err == nil {
		toks, err = trimStatement(toks)
	}
	if err != nil {
		return fail(syntaxError, "prepared statement: "+err.Error())
	}
	if toks, err = bindParameters(toks, args); err != nil {
		return err
	}
	p.statement = sqltext.Join(toks)
	return p.decide(toks, sess, false)
}

// lookupPrepared finds a prepared statement by name; names are
// identifiers, so the match ignores case.
func (s session) lookupPrepared(name string) (string, bool) {
	if sql, ok := s.prepared[name]; ok {
		return sql, true
	}
	for n, sql := range s.prepared {
		if strings.EqualFold(n, name) {
			return sql, true
		}
	}
	return "", false
}

// trimStatement drops a statement's leading and trailing whitespace and
// comments and its trailing semicolons, and rejects a second statement
// after a semicolon: Trino runs one statement per request.
func trimStatement(toks []sqltext.Token) ([]sqltext.Token, error) {
	toks, second := sqltext.TrimStatement(toks)
	if second >= 0 {
		return nil, fmt.Errorf("more than one statement at offset %d; send one statement per request", second)
	}
	start := 0
	for start < len(toks) && toks[start].Kind == sqltext.Space {
		start++
	}
	return toks[start:], nil
}

// nameOf returns an identifier's name: unquoted ones lower-cased, as Trino
// folds them, quoted ones without quotes.
func nameOf(t sqltext.Token) string {
	if t.Kind == sqltext.QuotedName {
		return stringValue(t)
	}
	return strings.ToLower(t.Text)
}

// stringValue returns the value of a string literal or quoted identifier:
// Trino's always decode.
func stringValue(t sqltext.Token) string {
	v, _ := sqltext.Trino.Value(t)
	return v
}

// dottedName reads a possibly qualified name (catalog.property) starting
// at word k and returns it with the index of the word after it.
func dottedName(w func(int) sqltext.Token, k int) (string, int) {
	if !w(k).IsName() {
		return "", k
	}
	parts := []string{nameOf(w(k))}
	k++
	for w(k).Text == "." && w(k+1).IsName() {
		parts = append(parts, nameOf(w(k+1)))
		k += 2
	}
	return strings.Join(parts, "."), k
}

// refusesTransaction reports statements PostgreSQL cannot run inside a
// transaction block.
func refusesTransaction(w func(int) sqltext.Token, n int) bool {
	switch {
	case w(0).Is("vacuum"),
		w(0).Is("alter") && w(1).Is("system"),
		(w(0).Is("create") || w(0).Is("drop")) && w(1).Is("database"):
		return true
	}
	for k := range n {
		if w(k).Is("concurrently") {
			return true
		}
	}
	return false
}

// splitArguments splits the expressions of a USING clause at the commas
// that are not nested in parentheses or brackets.
func splitArguments(toks []sqltext.Token) []string {
	var args []string
	depth, start := 0, 0
	for i, t := range toks {
		switch t.Text {
		case "(", "[":
			depth++
		case ")", "]":
			depth--
		case ",":
			if depth == 0 {
				args = append(args, strings.TrimSpace(sqltext.Join(toks[start:i])))
				start = i + 1
			}
		}
	}
	return append(args, strings.TrimSpace(sqltext.Join(toks[start:])))
}

// parseSession reads the client state from a statement request's headers.
func parseSession(h http.Header) session {
	txID, hasTx := "", false
	if v := h.Values("X-Trino-Transaction-Id"); len(v) > 0 {
		txID, hasTx = strings.TrimSpace(v[0]), true
	}
	return session{
		catalog:        h.Get("X-Trino-Catalog"),
		schema:         h.Get("X-Trino-Schema"),
		transactionID:  txID,
		hasTransaction: hasTx,
		prepared:       parsePairs(h.Values("X-Trino-Prepared-Statement")),
	}
}

// parsePairs parses headers of comma-separated name=urlencoded(value)
// pairs, as X-Trino-Session and X-Trino-Prepared-Statement are.
func parsePairs(values []string) map[string]string {
	out := map[string]string{}
	for _, v := range values {
		for _, pair := range strings.Split(v, ",") {
			name, value, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok {
				continue
			}
			if n, err := url.QueryUnescape(name); err == nil {
				name = n
			}
			if v, err := url.QueryUnescape(value); err == nil {
				value = v
			}
			out[strings.TrimSpace(name)] = value
		}
	}
	return out
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
