package bqserver

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/skimdata/skim/test/sqltext"
)

// statement is a GoogleSQL statement translated to PostgreSQL.
type statement struct {
	// sql is the PostgreSQL statement, as Job.Executed shows it.
	sql string
	// args are the values of $1, $2, ...: query parameters as text (sql
	// casts them) or bytes, nil for NULL.
	args []any
	// kind is BigQuery's statementType: SELECT, INSERT, UPDATE, ...
	kind string
	// limit is the outermost LIMIT of a query without an outermost ORDER
	// BY, nil otherwise. The server runs body (sql without that LIMIT) in a
	// cursor and fetches limit.count rows, then runs the cursor to its end:
	// BigQuery reads, and bills, the whole input of a LIMIT.
	limit *limitClause
	body  string
	// columns are the names the statement mentions, lower-cased: every
	// column it references, as far as a token scan can tell, and some
	// table, alias and function names besides, which match no column.
	columns map[string]bool
	// allColumns is set by SELECT * (or t.*) outside derived tables and
	// WITH queries: the statement references every column of the tables
	// it reads.
	allColumns bool
}

// limitClause is LIMIT count [OFFSET offset] with literal numbers.
type limitClause struct{ count, offset int64 }

// translateInput is what translate needs besides the SQL text.
type translateInput struct {
	sql    string
	legacy bool
	// defaultDataset qualifies one-part table names in SELECT * EXCEPT;
	// elsewhere the session's search_path does it.
	defaultDataset string
	params         []queryParameter
	// columnsOf lists a table's columns, for SELECT * EXCEPT.
	columnsOf func(dataset, table string) ([]string, error)
	// partitionsOf returns the table that stands for the dataset's
	// INFORMATION_SCHEMA.PARTITIONS (see infoschema.go); the project is
	// empty when the statement names none.
	partitionsOf func(project, dataset string) (string, error)
}

// translate turns one GoogleSQL statement into PostgreSQL. It works on
// tokens, so literals, backticked names and comments are never rewritten
// (literals are re-quoted the PostgreSQL way, value unchanged). The
// rewrites are the few skim's tests need:
//
//   - table paths: `p.d.t`, `p`.d.t, p.d.t and my-project.d.t lose the
//     project and become d.t (a BigQuery dataset is a PostgreSQL schema);
//     one-part names resolve through the search_path, which starts with
//     the default dataset; backticked names become lower-cased quoted
//     identifiers, as BigQuery matches column names without regard to case;
//   - string literals ('..', "..", r'..', triple-quoted, with backslash
//     escapes) become standard PostgreSQL strings, bytes literals bytea;
//     # comments become -- comments;
//   - RAND() → random(), IFNULL → coalesce, CURRENT_TIMESTAMP() and
//     CURRENT_DATE() lose their parentheses;
//   - TABLESAMPLE SYSTEM (p PERCENT) → TABLESAMPLE SYSTEM (p);
//   - DATE(x) → (x)::date, DATE(y, m, d) → make_date(y, m, d),
//     TIMESTAMP(x) → (x)::timestamptz;
//   - typed literals TIMESTAMP '..' → TIMESTAMPTZ '..' (a BigQuery
//     TIMESTAMP is an instant; the session time zone is UTC, BigQuery's
//     default), DATETIME '..' → TIMESTAMP '..', JSON '..' → JSONB '..',
//     NUMERIC '..' → NUMERIC(38, 9) '..' and BIGNUMERIC '..' →
//     NUMERIC(76, 38) '..' (BigQuery's precisions, which also make the
//     result columns NUMERIC and BIGNUMERIC); DATE and TIME literals read
//     the same;
//   - type names after AS in CAST and SAFE_CAST: INT64 → bigint, FLOAT64 →
//     double precision, STRING → text, BOOL → boolean, BYTES → bytea,
//     TIMESTAMP → timestamptz, DATETIME → timestamp, NUMERIC →
//     numeric(38, 9), BIGNUMERIC → numeric(76, 38), JSON → jsonb; INT64 and FLOAT64 anywhere else too. SAFE_CAST itself
//     is not translated, so PostgreSQL refuses it;
//   - SELECT * EXCEPT (a, b) over a single table → its other columns;
//   - [project.]dataset.INFORMATION_SCHEMA.PARTITIONS → a temporary
//     table holding the view (see infoschema.go);
//   - @name and ? query parameters → $n with a cast to the parameter's
//     type.
//
// In legacy SQL, [project:dataset.table] names become dataset.table, and
// a statement with other legacy syntax is refused (see fromLegacy).
func translate(in translateInput) (*statement, error) {
	toks, err := sqltext.GoogleSQL.Lex(in.sql)
	if err != nil {
		return nil, invalidQuery("Syntax error: " + err.Error())
	}
	if toks, err = trimStatement(toks); err != nil {
		return nil, err
	}
	if in.legacy {
		if toks, err = fromLegacy(toks); err != nil {
			return nil, err
		}
	}
	tr := &translator{
		in:    in,
		toks:  toks,
		sig:   sqltext.Significant(toks),
		out:   make([]string, len(toks)),
		named: map[string]int{},
		st:    &statement{columns: map[string]bool{}},
	}
	if len(tr.sig) == 0 {
		return nil, invalidQuery("Syntax error: Unexpected end of statement")
	}
	for i, t := range toks {
		tr.out[i] = t.Text
	}
	if err := tr.matchParens(); err != nil {
		return nil, err
	}
	if err := tr.run(); err != nil {
		return nil, err
	}
	st := tr.st
	st.kind = statementKind(tr.at(0), tr.at(1), tr.at(2), tr.at(3))
	st.sql = strings.TrimSpace(strings.Join(tr.out, ""))
	if st.kind == "SELECT" {
		if lim, from := tr.outerLimit(); lim != nil {
			for i := tr.sig[from]; i < len(tr.out); i++ {
				tr.out[i] = ""
			}
			st.limit = lim
			st.body = strings.TrimSpace(strings.Join(tr.out, ""))
		}
	}
	return st, nil
}

// trimStatement drops a statement's trailing semicolons and rejects a
// second statement: the server runs no scripts.
func trimStatement(toks []sqltext.Token) ([]sqltext.Token, error) {
	toks, second := sqltext.TrimStatement(toks)
	if second >= 0 {
		return nil, invalidQuery("multi-statement queries are not supported by this test server")
	}
	return toks, nil
}

// legacyTable is a legacy SQL table name in brackets:
// [project:dataset.table] or [dataset.table].
var legacyTable = regexp.MustCompile(`^\[(?:[A-Za-z0-9_.\-]+:)?([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_$]*)\]$`)

// legacyOnly are legacy SQL words with no GoogleSQL meaning.
var legacyOnly = []string{"FLATTEN", "WITHIN", "OMIT", "EACH", "NEST", "TABLE_DATE_RANGE", "TABLE_DATE_RANGE_STRICT", "TABLE_QUERY"}

// fromLegacy turns a legacy SQL statement into GoogleSQL when that is
// trivial: its bracketed table names become backticked paths, and a
// statement with any other legacy syntax (project:dataset names outside
// brackets, FLATTEN, WITHIN, OMIT, EACH, table wildcard functions) or with
// GoogleSQL's backticks, which legacy SQL does not have, is refused.
func fromLegacy(toks []sqltext.Token) ([]sqltext.Token, error) {
	refuse := invalidQuery("legacy SQL is not supported by this test server: it runs a legacy statement only when the statement reads the same in GoogleSQL, apart from [project:dataset.table] names")
	out := make([]sqltext.Token, 0, len(toks))
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.Kind == sqltext.QuotedName || t.Text == ":" || t.Text == "]":
			return nil, refuse
		case t.Kind == sqltext.Ident:
			for _, w := range legacyOnly {
				if t.Is(w) {
					return nil, refuse
				}
			}
		case t.Text == "[":
			j := i
			var b strings.Builder
			for ; j < len(toks) && toks[j].Text != "]"; j++ {
				b.WriteString(toks[j].Text)
			}
			if j == len(toks) {
				return nil, refuse
			}
			m := legacyTable.FindStringSubmatch(b.String() + "]")
			if m == nil {
				return nil, refuse
			}
			t = sqltext.Token{Kind: sqltext.QuotedName, Text: "`" + m[1] + "." + m[2] + "`", Pos: t.Pos}
			i = j
		}
		out = append(out, t)
	}
	return out, nil
}

// translator holds the state of one translation.
type translator struct {
	in   translateInput
	toks []sqltext.Token
	sig  []int    // indexes of the significant tokens
	out  []string // the PostgreSQL text of each token
	// match maps a significant "(" to its ")" and back (indexes into sig).
	match map[int]int
	// positional counts the ? parameters seen; named numbers @names.
	positional int
	named      map[string]int
	st         *statement
}

// at returns significant token k, or an empty space token out of range.
func (tr *translator) at(k int) sqltext.Token {
	if k < 0 || k >= len(tr.sig) {
		return sqltext.Token{Kind: sqltext.Space}
	}
	return tr.toks[tr.sig[k]]
}

// set replaces the text of significant token k.
func (tr *translator) set(k int, text string) { tr.out[tr.sig[k]] = text }

// clear empties significant tokens from through to and everything between.
func (tr *translator) clear(from, to int) {
	for i := tr.sig[from]; i <= tr.sig[to]; i++ {
		tr.out[i] = ""
	}
}

func (tr *translator) matchParens() error {
	tr.match = map[int]int{}
	var open []int
	for k := range tr.sig {
		switch tr.at(k).Text {
		case "(":
			open = append(open, k)
		case ")":
			if len(open) == 0 {
				return invalidQuery(fmt.Sprintf("Syntax error: Unexpected \")\" at offset %d", tr.at(k).Pos))
			}
			o := open[len(open)-1]
			open = open[:len(open)-1]
			tr.match[o], tr.match[k] = k, o
		}
	}
	if len(open) > 0 {
		return invalidQuery(fmt.Sprintf("Syntax error: Unclosed \"(\" at offset %d", tr.at(open[len(open)-1]).Pos))
	}
	return nil
}

// run rewrites the tokens in order.
func (tr *translator) run() error {
	var parens []int // the open parentheses around the current token
	for k := 0; k < len(tr.sig); k++ {
		t := tr.at(k)
		var err error
		switch t.Kind {
		case sqltext.String:
			var v string
			if v, err = sqltext.GoogleSQL.Value(t); err == nil {
				tr.set(k, pgString(v))
			}
		case sqltext.Bytes:
			var v string
			if v, err = sqltext.GoogleSQL.Value(t); err == nil {
				tr.set(k, `'\x`+hex.EncodeToString([]byte(v))+`'::bytea`)
			}
		case sqltext.Param:
			err = tr.param(k)
		case sqltext.Ident, sqltext.QuotedName:
			inCast := len(parens) > 0 && (tr.at(parens[len(parens)-1]-1).Is("cast") || tr.at(parens[len(parens)-1]-1).Is("safe_cast"))
			k, err = tr.name(k, inCast)
		case sqltext.Punct:
			switch t.Text {
			case "(":
				parens = append(parens, k)
			case ")":
				parens = parens[:len(parens)-1]
			case "*":
				k, err = tr.star(k, len(parens) > 0 && tr.derived(parens[len(parens)-1]))
			}
		}
		if err != nil {
			return err
		}
	}
	for i, t := range tr.toks {
		if t.Kind == sqltext.Space && strings.HasPrefix(t.Text, "#") {
			tr.out[i] = "--" + t.Text[1:]
		}
	}
	return nil
}

// castTypes maps GoogleSQL type names to PostgreSQL ones after AS in CAST.
var castTypes = map[string]string{
	"INT64": "bigint", "INTEGER": "bigint", "FLOAT64": "double precision", "STRING": "text",
	"BOOL": "boolean", "BOOLEAN": "boolean", "BYTES": "bytea", "TIMESTAMP": "timestamptz",
	"DATETIME": "timestamp", "NUMERIC": "numeric(38, 9)", "BIGNUMERIC": "numeric(76, 38)", "DECIMAL": "numeric(38, 9)",
	"BIGDECIMAL": "numeric(76, 38)", "JSON": "jsonb", "DATE": "date", "TIME": "time",
}

// literalTypes maps the GoogleSQL typed literals that PostgreSQL reads
// differently.
var literalTypes = map[string]string{
	"TIMESTAMP": "TIMESTAMPTZ", "DATETIME": "TIMESTAMP", "JSON": "JSONB",
	"NUMERIC": "NUMERIC(38, 9)", "DECIMAL": "NUMERIC(38, 9)", "BIGNUMERIC": "NUMERIC(76, 38)", "BIGDECIMAL": "NUMERIC(76, 38)",
}

// name rewrites the path or word starting at significant token k and
// returns the last token it consumed.
func (tr *translator) name(k int, inCast bool) (int, error) {
	t := tr.at(k)
	if tr.at(k-1).Text == "." {
		tr.st.columns[strings.ToLower(t.Text)] = true // a field after (expr).
		return k, nil
	}
	parts, quoted, last, err := tr.path(k)
	if err != nil {
		return k, err
	}
	for _, p := range parts {
		tr.st.columns[strings.ToLower(p)] = true
	}
	word := strings.ToUpper(t.Text)
	if len(parts) == 1 && t.Kind == sqltext.Ident {
		next := tr.at(k + 1)
		switch {
		case next.Text == "(":
			return k, tr.function(k, word)
		case inCast && tr.at(k-1).Is("as") && castTypes[word] != "":
			tr.set(k, castTypes[word])
		case next.Kind == sqltext.String && literalTypes[word] != "":
			tr.set(k, literalTypes[word])
		case word == "INT64" || word == "FLOAT64":
			tr.set(k, castTypes[word])
		case word == "PERCENT" && next.Text == ")":
			if open := tr.match[k+1]; tr.at(open-1).Is("system") && tr.at(open-2).Is("tablesample") {
				for i := tr.sig[k-1] + 1; i <= tr.sig[k]; i++ {
					tr.out[i] = ""
				}
			}
		}
		return k, nil
	}
	if tr.at(last+1).Text == "(" && !tr.at(k-1).Is("into") {
		return last, nil // a qualified function such as SAFE.f(): left alone
	}
	if len(parts) >= 3 && strings.EqualFold(parts[len(parts)-2], "information_schema") && strings.EqualFold(parts[len(parts)-1], "partitions") {
		return last, tr.partitionsView(k, last, parts)
	}
	if len(parts) >= 3 {
		// project.dataset.table: the data of every project is in the one
		// database.
		parts, quoted = parts[1:], quoted[1:]
	}
	for i, p := range parts {
		if quoted[i] {
			parts[i] = pgIdent(p)
		}
	}
	tr.clear(k, last)
	tr.set(k, strings.Join(parts, "."))
	return last, nil
}

// path reads the dotted name starting at significant token k: its parts
// (a backticked token may hold several), whether each was backticked, and
// the index of its last token. In a table position the first part may be
// a project name with dashes, which GoogleSQL allows unquoted.
func (tr *translator) path(k int) (parts []string, quoted []bool, last int, err error) {
	add := func(t sqltext.Token) error {
		if t.Kind == sqltext.Ident {
			parts, quoted = append(parts, t.Text), append(quoted, false)
			return nil
		}
		v, err := sqltext.GoogleSQL.Value(t)
		if err != nil {
			return invalidQuery(fmt.Sprintf("Syntax error: %v", err))
		}
		for _, p := range strings.Split(v, ".") {
			parts, quoted = append(parts, p), append(quoted, true)
		}
		return nil
	}
	last = k
	if p, end, dotted := tr.dashedProject(k); end > k {
		parts, quoted, last = []string{p}, []bool{true}, end
		if dotted {
			last++
			if err := add(tr.at(last)); err != nil {
				return nil, nil, k, err
			}
		}
	} else if err := add(tr.at(k)); err != nil {
		return nil, nil, k, err
	}
	for tr.at(last+1).Text == "." && tr.at(last+2).IsName() {
		last += 2
		if err := add(tr.at(last)); err != nil {
			return nil, nil, k, err
		}
	}
	return parts, quoted, last, nil
}

// dashedProject reads an unquoted project name with dashes (my-project)
// right after FROM, JOIN, INTO, UPDATE or TABLE and before a dot. It
// returns the name and its last token, or end == k when there is none.
// dotted says the dot was lexed into the name's last token, a number
// (my-project-2.dataset lexes 2. as a number).
func (tr *translator) dashedProject(k int) (name string, end int, dotted bool) {
	prev := tr.at(k - 1)
	if !(prev.Is("from") || prev.Is("join") || prev.Is("into") || prev.Is("update") || prev.Is("table")) || tr.at(k).Kind != sqltext.Ident {
		return "", k, false
	}
	adjacent := func(a, b int) bool { return tr.sig[b] == tr.sig[a]+1 }
	name, end = tr.at(k).Text, k
	for !dotted && tr.at(end+1).Text == "-" && adjacent(end, end+1) && adjacent(end+1, end+2) &&
		(tr.at(end+2).Kind == sqltext.Ident || tr.at(end+2).Kind == sqltext.Number) {
		part := tr.at(end + 2).Text
		if dotted = strings.HasSuffix(part, ".") && tr.at(end+3).IsName() && adjacent(end+2, end+3); dotted {
			part = strings.TrimSuffix(part, ".")
		}
		name += "-" + part
		end += 2
	}
	if end == k || !dotted && tr.at(end+1).Text != "." {
		return "", k, false
	}
	return name, end, dotted
}

// function rewrites the call of a one-word function at significant token
// k, whose "(" is at k+1.
func (tr *translator) function(k int, word string) error {
	open := k + 1
	closing := tr.match[open]
	empty := closing == open+1
	switch word {
	case "RAND":
		tr.set(k, "random")
	case "IFNULL":
		tr.set(k, "coalesce")
	case "CURRENT_TIMESTAMP", "CURRENT_DATE":
		if empty {
			tr.clear(open, closing)
		}
	case "DATE", "TIMESTAMP":
		args := tr.arguments(open)
		switch {
		case args == 1 && word == "DATE":
			tr.set(k, "")
			tr.set(closing, ")::date")
		case args == 1:
			tr.set(k, "")
			tr.set(closing, ")::timestamptz")
		case args == 3 && word == "DATE":
			tr.set(k, "make_date")
		}
	}
	return nil
}

// arguments counts the arguments of the call whose "(" is significant
// token open.
func (tr *translator) arguments(open int) int {
	closing := tr.match[open]
	if closing == open+1 {
		return 0
	}
	n := 1
	for k := open + 1; k < closing; k++ {
		switch tr.at(k).Text {
		case "(":
			k = tr.match[k]
		case ",":
			n++
		}
	}
	return n
}

// star handles * at significant token k: a SELECT * references every
// column, unless it is the select list of a derived table (inDerived),
// and SELECT * EXCEPT (...) is expanded. Other stars (COUNT(*),
// multiplication) are left alone.
//
// BigQuery reads only the columns a query uses through a derived table
// or a WITH query, so (SELECT * FROM t WHERE a > 0) AS t read as SELECT b
// bills a and b; the token scan finds both names, in the derived table
// and outside it. That is how skim's dev samples are written.
func (tr *translator) star(k int, inDerived bool) (int, error) {
	prev := tr.at(k - 1)
	if !(prev.Is("select") || prev.Is("distinct") || prev.Is("all") || prev.Text == "," || prev.Text == ".") {
		return k, nil
	}
	if !(prev.Text != "." && tr.at(k+1).Is("except") && tr.at(k+2).Text == "(") {
		if !inDerived {
			tr.st.allColumns = true
		}
		return k, nil
	}
	open := k + 2
	closing := tr.match[open]
	except := map[string]bool{}
	for j := open + 1; j < closing; j++ {
		t := tr.at(j)
		switch {
		case t.Text == ",":
		case t.Kind == sqltext.Ident:
			except[strings.ToLower(t.Text)] = true
		case t.Kind == sqltext.QuotedName:
			v, err := sqltext.GoogleSQL.Value(t)
			if err != nil {
				return k, invalidQuery(fmt.Sprintf("Syntax error: %v", err))
			}
			except[strings.ToLower(v)] = true
		default:
			return k, invalidQuery(fmt.Sprintf("Syntax error: Unexpected %q in SELECT * EXCEPT list", t.Text))
		}
	}
	dataset, table, err := tr.singleTable(closing + 1)
	if err != nil {
		return k, err
	}
	columns, err := tr.in.columnsOf(dataset, table)
	if err != nil {
		return k, err
	}
	var kept []string
	for _, c := range columns {
		if except[strings.ToLower(c)] {
			delete(except, strings.ToLower(c))
			continue
		}
		kept = append(kept, pgIdent(c))
		tr.st.columns[strings.ToLower(c)] = true
	}
	if len(except) > 0 {
		missing := slices.Sorted(maps.Keys(except))
		return k, invalidQuery(fmt.Sprintf("Column %s in SELECT * EXCEPT list does not exist", missing[0]))
	}
	if len(kept) == 0 {
		return k, invalidQuery("SELECT * expands to zero columns after applying EXCEPT")
	}
	tr.clear(k, closing)
	tr.set(k, strings.Join(kept, ", "))
	return closing, nil
}

// derived reports whether the parenthesis at significant token open
// holds a derived table or a WITH query: it follows FROM, JOIN or, as in
// WITH name AS (...), AS.
func (tr *translator) derived(open int) bool {
	prev := tr.at(open - 1)
	return prev.Is("from") || prev.Is("join") || prev.Is("as")
}

// selectEnd are the words that may follow the single table of a SELECT
// whose * EXCEPT the server expands.
var selectEnd = []string{"where", "group", "order", "limit", "having", "qualify", "window", "tablesample", "union", "intersect", "except"}

// singleTable finds the FROM clause of the SELECT whose list goes on at
// significant token k and returns its table, which must be the only one.
func (tr *translator) singleTable(k int) (dataset, table string, err error) {
	unsupported := invalidQuery("SELECT * EXCEPT is supported by this test server only over a single table")
	for ; k < len(tr.sig) && !tr.at(k).Is("from"); k++ {
		switch tr.at(k).Text {
		case "(":
			k = tr.match[k]
		case ")":
			return "", "", unsupported
		}
	}
	if k+1 >= len(tr.sig) || !tr.at(k+1).IsName() {
		return "", "", unsupported
	}
	parts, _, last, err := tr.path(k + 1)
	if err != nil {
		return "", "", err
	}
	next := last + 1
	if tr.at(next).Is("as") {
		next++
	}
	if t := tr.at(next); t.IsName() && !isSelectEnd(t) {
		next++ // the alias
	}
	if t := tr.at(next); t.Kind != sqltext.Space && t.Text != ")" && !isSelectEnd(t) {
		return "", "", unsupported
	}
	switch len(parts) {
	case 1:
		if tr.in.defaultDataset == "" {
			return "", "", invalidQuery(fmt.Sprintf("Table %q must be qualified with a dataset (e.g. dataset.table).", parts[0]))
		}
		return tr.in.defaultDataset, parts[0], nil
	case 2:
		return parts[0], parts[1], nil
	default:
		return parts[len(parts)-2], parts[len(parts)-1], nil
	}
}

func isSelectEnd(t sqltext.Token) bool {
	for _, w := range selectEnd {
		if t.Is(w) {
			return true
		}
	}
	return false
}

// param binds the @name or ? parameter at significant token k.
func (tr *translator) param(k int) error {
	t := tr.at(k)
	var p *queryParameter
	n := 0
	if t.Text == "?" {
		tr.positional++
		var seen int
		for i := range tr.in.params {
			if tr.in.params[i].Name == "" {
				if seen++; seen == tr.positional {
					p = &tr.in.params[i]
					break
				}
			}
		}
		if p == nil {
			return invalidQuery(fmt.Sprintf("Query parameter number %d is not defined", tr.positional))
		}
	} else {
		name := strings.ToLower(t.Text[1:])
		for i := range tr.in.params {
			if strings.EqualFold(tr.in.params[i].Name, name) {
				p = &tr.in.params[i]
			}
		}
		if p == nil {
			return invalidQuery(fmt.Sprintf("Query parameter '%s' not found", t.Text[1:]))
		}
		n = tr.named[name]
	}
	typ, value, err := p.bind()
	if err != nil {
		return err
	}
	if n == 0 {
		tr.st.args = append(tr.st.args, value)
		n = len(tr.st.args)
		if t.Text != "?" {
			tr.named[strings.ToLower(t.Text[1:])] = n
		}
	}
	tr.set(k, fmt.Sprintf("($%d::%s)", n, typ))
	return nil
}

// outerLimit returns a trailing LIMIT n [OFFSET m] with literal numbers,
// at the top level of a statement that has no top-level ORDER BY (a sort
// reads all its input anyway), and the index of the LIMIT token.
func (tr *translator) outerLimit() (*limitClause, int) {
	n := len(tr.sig)
	for k := 0; k < n; k++ {
		switch {
		case tr.at(k).Text == "(":
			k = tr.match[k]
		case tr.at(k).Is("order") && tr.at(k+1).Is("by"):
			return nil, 0
		}
	}
	number := func(k int) (int64, bool) {
		t := tr.at(k)
		if t.Kind != sqltext.Number {
			return 0, false
		}
		v, err := strconv.ParseInt(t.Text, 10, 64)
		return v, err == nil
	}
	var lim limitClause
	from := n - 2
	if tr.at(n - 2).Is("offset") {
		from = n - 4
		var ok bool
		if lim.offset, ok = number(n - 1); !ok {
			return nil, 0
		}
	}
	var ok bool
	if !tr.at(from).Is("limit") {
		return nil, 0
	}
	if lim.count, ok = number(from + 1); !ok || lim.count == 0 {
		return nil, 0 // LIMIT 0 reads nothing, in BigQuery too
	}
	return &lim, from
}

// statementKind is BigQuery's statementType of a statement starting with
// the given tokens.
func statementKind(first, second, third, fourth sqltext.Token) string {
	word := strings.ToUpper(first.Text)
	switch word {
	case "SELECT", "WITH", "(":
		return "SELECT"
	case "CREATE", "DROP", "ALTER", "TRUNCATE":
		object := second
		for _, t := range []sqltext.Token{second, third, fourth} {
			if !(t.Is("or") || t.Is("replace") || t.Is("temp") || t.Is("temporary")) {
				object = t
				break
			}
		}
		return word + "_" + strings.ToUpper(object.Text)
	}
	return word
}

// pgString quotes a string value as a standard PostgreSQL literal.
func pgString(v string) string {
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
}

// pgIdent quotes a name taken from backticks. A plain name is lower-cased,
// since BigQuery matches column names without regard to case and the
// demo's PostgreSQL names are lower case; any other is kept as it is.
func pgIdent(name string) string {
	plain := name != ""
	for i, r := range name {
		if !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || i > 0 && '0' <= r && r <= '9') {
			plain = false
		}
	}
	if plain {
		name = strings.ToLower(name)
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// queryParameter is a QueryParameter of a query request.
type queryParameter struct {
	Name          string `json:"name"`
	ParameterType struct {
		Type string `json:"type"`
	} `json:"parameterType"`
	ParameterValue *struct {
		Value *string `json:"value"`
	} `json:"parameterValue"`
}

// paramTypes maps the scalar parameter types to PostgreSQL types.
var paramTypes = map[string]string{
	"INT64": "bigint", "FLOAT64": "double precision", "NUMERIC": "numeric", "BIGNUMERIC": "numeric",
	"BOOL": "boolean", "STRING": "text", "BYTES": "bytea", "DATE": "date", "DATETIME": "timestamp",
	"TIMESTAMP": "timestamptz", "TIME": "time", "JSON": "jsonb",
}

// bind returns the PostgreSQL type of the parameter and its value: text,
// bytes (for BYTES, sent base64-encoded) or nil.
func (p *queryParameter) bind() (string, any, error) {
	typ, ok := paramTypes[strings.ToUpper(p.ParameterType.Type)]
	if !ok {
		return "", nil, invalidQuery(fmt.Sprintf("query parameter %q has type %s; this test server supports scalar parameters only", p.Name, p.ParameterType.Type))
	}
	if p.ParameterValue == nil || p.ParameterValue.Value == nil {
		return typ, nil, nil
	}
	v := *p.ParameterValue.Value
	if typ == "bytea" {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return "", nil, invalidQuery(fmt.Sprintf("query parameter %q: BYTES value is not base64: %v", p.Name, err))
		}
		return typ, b, nil
	}
	return typ, v, nil
}
