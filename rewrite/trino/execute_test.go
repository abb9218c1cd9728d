package trino

import (
	"testing"

	"github.com/skimdata/skim/rewrite/stmt"
)

func TestExecuteTarget(t *testing.T) {
	tests := []struct {
		sql    string
		name   string
		isExec bool
	}{
		{"EXECUTE _trino_go USING 1, 'a'", "_trino_go", true},
		{"execute My_Stmt", "my_stmt", true},
		{`EXECUTE "Quoted""Name" USING 1`, `Quoted"Name`, true},
		{"  /* c */ EXECUTE s;", "s", true},
		{"EXECUTE IMMEDIATE 'SELECT 1'", "", false},
		{"SELECT 1", "", false},
		{"EXECUTE", "", false},
		{"EXECUTE s WITH x", "", false},
	}
	for _, tt := range tests {
		name, ok := ExecuteTarget(tt.sql)
		if ok != tt.isExec || name != tt.name {
			t.Errorf("ExecuteTarget(%q) = %q, %v; want %q, %v", tt.sql, name, ok, tt.name, tt.isExec)
		}
	}
}

func TestParameters(t *testing.T) {
	sess := stmt.Session{Catalog: "iceberg", Schema: "web"}
	st, err := Parse("SELECT * FROM events WHERE event_date = ? AND page = '?' ORDER BY rand() LIMIT ?", sess)
	if err != nil {
		t.Fatal(err)
	}
	b := st.Blocks[0]
	if b.HasLimit {
		t.Error("LIMIT ? read as a known limit")
	}
	for _, f := range b.Filters {
		if f.Column.Name == "event_date" {
			t.Errorf("event_date = ? read as a comparison with a constant: %+v", f)
		}
	}
	if !b.OtherFilters {
		t.Error("a filter with a parameter is not marked as unknown")
	}
	st, err = Parse("SELECT * FROM events WHERE user_id = ? ORDER BY rand() LIMIT 10", sess)
	if err != nil {
		t.Fatal(err)
	}
	if b := st.Blocks[0]; !b.HasLimit || b.Limit != 10 || st.Text[b.Where.Start:b.Where.End] != "user_id = ?" {
		t.Errorf("limit %v %d, where %q", b.HasLimit, b.Limit, st.Text[b.Where.Start:b.Where.End])
	}
}
