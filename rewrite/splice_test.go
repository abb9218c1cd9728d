package rewrite

import (
	"strings"
	"testing"
)

func TestSplice(t *testing.T) {
	text := "SELECT * FROM t /* ✓ */ WHERE a OR b"
	where := strings.Index(text, "a OR b")
	tests := []struct {
		name    string
		edits   []Edit
		want    string
		wantErr bool
	}{
		{"none", nil, text, false},
		{"insert after table", []Edit{{15, 15, " TABLESAMPLE SYSTEM (1)"}}, "SELECT * FROM t TABLESAMPLE SYSTEM (1) /* ✓ */ WHERE a OR b", false},
		{"wrap where", []Edit{{len(text), len(text), ") AND d = 1"}, {where, where, "("}}, "SELECT * FROM t /* ✓ */ WHERE (a OR b) AND d = 1", false},
		{"replace", []Edit{{0, 6, "select"}}, "select * FROM t /* ✓ */ WHERE a OR b", false},
		{"same offset keeps order", []Edit{{0, 0, "a"}, {0, 0, "b"}}, "ab" + text, false},
		{"overlap", []Edit{{0, 6, "x"}, {3, 8, "y"}}, "", true},
		{"outside", []Edit{{0, len(text) + 1, "x"}}, "", true},
		{"reversed", []Edit{{5, 4, "x"}}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Splice(text, tt.edits)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func FuzzSplice(f *testing.F) {
	f.Add("SELECT * FROM t", 14, 15, "x", 0, 0, "y")
	f.Add("héllo ✓", 1, 3, "", 3, 3, "z")
	f.Fuzz(func(t *testing.T, text string, s1, e1 int, t1 string, s2, e2 int, t2 string) {
		got, err := Splice(text, []Edit{{s1, e1, t1}, {s2, e2, t2}})
		if err != nil {
			return
		}
		// What the edits did not cover survives unchanged.
		a, b := Edit{s1, e1, t1}, Edit{s2, e2, t2}
		if b.Start < a.Start {
			a, b = b, a
		}
		want := text[:a.Start] + a.Text + text[a.End:b.Start] + b.Text + text[b.End:]
		if got != want {
			t.Fatalf("Splice = %q, want %q", got, want)
		}
	})
}
