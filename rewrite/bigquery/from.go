package bigquery

import (
	"strings"

	"github.com/cloudspannerecosystem/memefish/ast"
	"github.com/cloudspannerecosystem/memefish/token"

	"github.com/skimdata/skim/rewrite/stmt"
)

// fromItems translates a FROM clause, flattened across joins, in source
// order. Each item's name becomes a range variable of sc as soon as the item
// is done, so later items and the join conditions see it.
func (t *translator) fromItems(te ast.TableExpr, b *stmt.Block, sc *scope) ([]*stmt.FromItem, error) {
	switch te := te.(type) {
	case *ast.TableName:
		return t.namedItem([]*ast.Ident{te.Table}, te.Hint, te.As, nil, te.Sample, b, sc)
	case *ast.PathTableExpr:
		return t.namedItem(te.Path.Idents, te.Hint, te.As, te.WithOffset, te.Sample, b, sc)
	case *ast.Unnest:
		if te.Sample != nil {
			return nil, failAt(te.Sample.Pos(), "TABLESAMPLE on UNNEST")
		}
		lateral, err := t.references(te.Expr, b, sc)
		if err != nil {
			return nil, err
		}
		sc.addRange(aliasName(te.As))
		if te.WithOffset != nil {
			sc.addRange(aliasName(te.WithOffset.As))
		}
		return []*stmt.FromItem{{Other: true, Lateral: lateral}}, nil
	case *ast.TVFCallExpr:
		return t.tableFunction(te, b, sc)
	case *ast.SubQueryTableExpr:
		if te.Sample != nil {
			return nil, failAt(te.Sample.Pos(), "TABLESAMPLE on a subquery")
		}
		sub, _, err := t.query(te.Query, sc, b, stmt.InFrom)
		if err != nil {
			return nil, err
		}
		sc.addRange(aliasName(te.As))
		return []*stmt.FromItem{{Subquery: sub}}, nil
	case *ast.ParenTableExpr:
		if te.Sample != nil {
			return nil, failAt(te.Sample.Pos(), "TABLESAMPLE on a parenthesised join")
		}
		return t.fromItems(te.Source, b, sc)
	case *ast.Join:
		return t.join(te, b, sc)
	case nil:
		return nil, failAt(token.InvalidPos, "missing FROM item")
	}
	return nil, failAt(te.Pos(), "unsupported FROM item")
}

// join translates both sides of a join and marks the items an outer join
// may extend with NULLs.
func (t *translator) join(j *ast.Join, b *stmt.Block, sc *scope) ([]*stmt.FromItem, error) {
	left, err := t.fromItems(j.Left, b, sc)
	if err != nil {
		return nil, err
	}
	right, err := t.fromItems(j.Right, b, sc)
	if err != nil {
		return nil, err
	}
	switch j.Op {
	case ast.LeftOuterJoin:
		nullSupplying(right)
	case ast.RightOuterJoin:
		nullSupplying(left)
	case ast.FullOuterJoin:
		nullSupplying(left)
		nullSupplying(right)
	}
	switch cond := j.Cond.(type) {
	case *ast.On:
		if err := t.expr(cond.Expr, b, sc); err != nil {
			return nil, err
		}
	case *ast.Using:
		for _, id := range cond.Idents {
			t.st.Columns = append(t.st.Columns, stmt.ColumnRef{Name: columnName(id.Name), Block: b})
		}
	}
	return append(left, right...), nil
}

func nullSupplying(items []*stmt.FromItem) {
	for _, it := range items {
		it.NullSupplying = true
	}
}

// tableFunction translates a table-valued function call. Its arguments may
// refer to columns; a TABLE argument is refused, because the model has no
// way to list a table read that is not a FROM item.
func (t *translator) tableFunction(f *ast.TVFCallExpr, b *stmt.Block, sc *scope) ([]*stmt.FromItem, error) {
	if f.Sample != nil {
		return nil, failAt(f.Sample.Pos(), "TABLESAMPLE on a table function")
	}
	lateral := false
	for _, arg := range f.Args {
		switch arg := arg.(type) {
		case *ast.ExprArg:
			refs, err := t.references(arg.Expr, b, sc)
			if err != nil {
				return nil, err
			}
			lateral = lateral || refs
		case *ast.ModelArg:
		default:
			return nil, failAt(arg.Pos(), "table argument of a table function")
		}
	}
	for _, arg := range f.NamedArgs {
		refs, err := t.references(arg.Value, b, sc)
		if err != nil {
			return nil, err
		}
		lateral = lateral || refs
	}
	return []*stmt.FromItem{{Other: true, Lateral: lateral}}, nil
}

// references walks e and reports whether it refers to any column, which
// makes the FROM item holding it correlated.
func (t *translator) references(e ast.Expr, b *stmt.Block, sc *scope) (bool, error) {
	mark := len(t.st.Columns)
	err := t.expr(e, b, sc)
	return len(t.st.Columns) > mark, err
}

// namedItem translates a name in FROM: a CTE reference, an implicit UNNEST
// of a range variable's array (t.arr), or a table.
func (t *translator) namedItem(path []*ast.Ident, hint *ast.Hint, as *ast.AsAlias, offset *ast.WithOffset, sample *ast.TableSample, b *stmt.Block, sc *scope) ([]*stmt.FromItem, error) {
	alias := aliasName(as)
	parts, valid := splitPath(path)
	if len(path) == 1 && len(parts) == 1 {
		if cte := sc.cte(parts[0]); cte != nil {
			if sample != nil {
				return nil, failAt(sample.Pos(), "TABLESAMPLE on a CTE")
			}
			sc.addRange(nonEmpty(alias, parts[0]))
			return []*stmt.FromItem{{Subquery: cte}}, nil
		}
	}
	// BigQuery resolves the first part against range variables before
	// catalog names, so t.arr is an array when t is a visible FROM item.
	implicitUnnest := offset != nil || len(parts) > 1 && sc.hasRange(parts[0])
	if len(parts) > 0 {
		sc.addRange(nonEmpty(alias, parts[len(parts)-1]))
	}
	if implicitUnnest {
		if sample != nil {
			return nil, failAt(sample.Pos(), "TABLESAMPLE on an array")
		}
		return []*stmt.FromItem{{Other: true, Lateral: true}}, nil
	}
	if !valid || len(parts) > 3 || isInformationSchema(parts) {
		// Not a table skim can name; INFORMATION_SCHEMA views are metadata.
		return []*stmt.FromItem{{Other: true}}, nil
	}
	first, last := path[0], path[len(path)-1]
	name, qualified := qualify(parts, t.sess)
	ref := &stmt.TableRef{
		Name:      name,
		Qualified: qualified,
		Written:   t.text[first.Pos():last.End()],
		Alias:     alias,
		Span:      stmt.Span{Start: int(first.Pos()), End: refEnd(last.End(), hint, as)},
		Sampled:   sample != nil,
		Block:     b,
	}
	t.st.Tables = append(t.st.Tables, ref)
	return []*stmt.FromItem{{Table: ref}}, nil
}

// target records the table a write statement changes. It belongs to no
// block, so its Block is nil.
func (t *translator) target(path *ast.Path, hint *ast.Hint, as *ast.AsAlias) {
	if path == nil || len(path.Idents) == 0 {
		return
	}
	parts, valid := splitPath(path.Idents)
	if !valid || len(parts) > 3 {
		return
	}
	name, qualified := qualify(parts, t.sess)
	t.st.Tables = append(t.st.Tables, &stmt.TableRef{
		Name:      name,
		Qualified: qualified,
		Written:   t.text[path.Pos():path.End()],
		Alias:     aliasName(as),
		Span:      stmt.Span{Start: int(path.Pos()), End: refEnd(path.End(), hint, as)},
	})
}

// refEnd is where a table reference ends, and a TABLESAMPLE clause could
// begin: after its alias, else its hint, else its name.
func refEnd(nameEnd token.Pos, hint *ast.Hint, as *ast.AsAlias) int {
	end := nameEnd
	if hint != nil {
		end = max(end, hint.End())
	}
	if as != nil {
		end = max(end, as.End())
	}
	return int(end)
}

func aliasName(as *ast.AsAlias) string {
	if as == nil || as.Alias == nil {
		return ""
	}
	return strings.ToLower(as.Alias.Name)
}

func nonEmpty(s, otherwise string) string {
	if s != "" {
		return s
	}
	return otherwise
}

// splitPath returns the lower-cased parts of a table path. A backticked
// identifier may hold several parts (`proj.ds.t`); a domain-scoped project
// (`example.com:proj`) is one part despite its dot. valid is false when a
// part is empty.
func splitPath(path []*ast.Ident) (parts []string, valid bool) {
	for _, id := range path {
		parts = append(parts, strings.Split(strings.ToLower(id.Name), ".")...)
	}
	for i, p := range parts {
		if strings.Contains(p, ":") {
			parts = append([]string{strings.Join(parts[:i+1], ".")}, parts[i+1:]...)
			break
		}
	}
	for _, p := range parts {
		if p == "" {
			return parts, false
		}
	}
	return parts, true
}

// qualify applies the session's default project and dataset to 1 to 3 name
// parts.
func qualify(parts []string, sess stmt.Session) (name string, qualified bool) {
	project, dataset := strings.ToLower(sess.Catalog), strings.ToLower(sess.Schema)
	switch {
	case len(parts) == 1 && project != "" && dataset != "":
		return project + "." + dataset + "." + parts[0], true
	case len(parts) == 2 && project != "":
		return project + "." + parts[0] + "." + parts[1], true
	}
	return strings.Join(parts, "."), len(parts) == 3
}

func isInformationSchema(parts []string) bool {
	for _, p := range parts {
		if p == "information_schema" {
			return true
		}
	}
	return false
}
