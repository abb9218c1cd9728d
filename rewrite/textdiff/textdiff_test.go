package textdiff

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// unified writes a diff as skim explain prints it: each line's sign and its
// text.
func unified(lines []Line) []string {
	var out []string
	for _, l := range lines {
		out = append(out, l.Op.Sign()+l.Text)
	}
	return out
}

// marked writes a diff compactly: one line per diff line, its sign, and
// [-removed-] and {+added+} around the changed segments.
func marked(lines []Line) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.Op.Sign())
		for _, s := range l.Segments {
			switch {
			case !s.Changed:
				b.WriteString(s.Text)
			case l.Op == Removed:
				b.WriteString("[-" + s.Text + "-]")
			default:
				b.WriteString("{+" + s.Text + "+}")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestLinesUnified(t *testing.T) {
	tests := []struct {
		a, b string
		want []string
	}{
		{"a\nb\nc", "a\nb\nc", []string{" a", " b", " c"}},
		{"a\nb\nc", "a\nB\nc", []string{" a", "-b", "+B", " c"}},
		{"a\nc", "a\nb\nc\n", []string{" a", "+b", " c"}},
		{"a\nb", "b", []string{"-a", " b"}},
		{"SELECT a\nFROM t\nLIMIT 5", "SELECT a\nFROM t TABLESAMPLE BERNOULLI (2)\nLIMIT 5",
			[]string{" SELECT a", "-FROM t", "+FROM t TABLESAMPLE BERNOULLI (2)", " LIMIT 5"}},
		{"", "SELECT 1", []string{"-", "+SELECT 1"}},
	}
	for _, tt := range tests {
		if got := unified(Lines(tt.a, tt.b)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Lines(%q, %q) = %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestLinesMarked(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want string
	}{
		{"unchanged", "SELECT 1\nFROM t", "SELECT 1\nFROM t\n", " SELECT 1\n FROM t\n"},
		{"clause inserted into one line",
			"SELECT * FROM t ORDER BY rand() LIMIT 10",
			"SELECT * FROM t TABLESAMPLE SYSTEM (1.5) ORDER BY rand() LIMIT 10",
			"-SELECT * FROM t ORDER BY rand() LIMIT 10\n+SELECT * FROM t {+TABLESAMPLE SYSTEM (1.5) +}ORDER BY rand() LIMIT 10\n"},
		{"one line of several",
			"SELECT a\nFROM t\nLIMIT 5",
			"SELECT a\nFROM t TABLESAMPLE BERNOULLI (2)\nLIMIT 5",
			" SELECT a\n-FROM t\n+FROM t{+ TABLESAMPLE BERNOULLI (2)+}\n LIMIT 5\n"},
		{"word replaced",
			"SELECT x FROM a.b",
			"SELECT x FROM a.c",
			"-SELECT x FROM a.[-b-]\n+SELECT x FROM a.{+c+}\n"},
		{"lines added and removed",
			"a\nb\nc",
			"a\nc\nd",
			" a\n-[-b-]\n c\n+{+d+}\n"},
		{"more removed than added",
			"x\nold one\nold two\ny",
			"x\nnew one\ny",
			" x\n-[-old-] one\n-[-old two-]\n+{+new+} one\n y\n"},
		{"windows line ends", "a\r\nb\r\n", "a\nb", " a\n b\n"},
		{"empty original", "", "SELECT 1", "-\n+{+SELECT 1+}\n"},
		{"unicode words", "SELECT 'héllo' FROM t", "SELECT 'héllo' FROM t TABLESAMPLE SYSTEM (1)",
			"-SELECT 'héllo' FROM t\n+SELECT 'héllo' FROM t{+ TABLESAMPLE SYSTEM (1)+}\n"},
	}
	for _, tt := range tests {
		if got := marked(Lines(tt.a, tt.b)); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

func TestLinesTextIsWholeLine(t *testing.T) {
	for _, l := range Lines("SELECT a\nFROM t\nLIMIT 5", "SELECT a\nFROM t TABLESAMPLE BERNOULLI (2)\nLIMIT 5") {
		var joined strings.Builder
		for _, s := range l.Segments {
			joined.WriteString(s.Text)
		}
		if joined.String() != l.Text {
			t.Errorf("%s line %q has segments spelling %q", l.Op.Sign(), l.Text, joined.String())
		}
	}
}

func TestLinesLarge(t *testing.T) {
	// Beyond maxCells the middle shows as removed then added, whole.
	var a, b []string
	for i := 0; i < 1100; i++ {
		a = append(a, "a"+strconv.Itoa(i))
		b = append(b, "b"+strconv.Itoa(i))
	}
	lines := Lines("head\n"+strings.Join(a, "\n")+"\ntail", "head\n"+strings.Join(b, "\n")+"\ntail")
	if len(lines) != 2+2*1100 || lines[0].Op != Same || lines[1].Op != Removed || lines[1100].Op != Removed ||
		lines[1101].Op != Added || lines[len(lines)-1].Op != Same {
		t.Errorf("large diff has %d lines, not head, 1100 removed, 1100 added, tail", len(lines))
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"SELECT a_b, c.d  FROM t", []string{"SELECT", " ", "a_b", ",", " ", "c", ".", "d", "  ", "FROM", " ", "t"}},
		{"(0.0077)", []string{"(", "0", ".", "0077", ")"}},
		{"'héllo'", []string{"'", "héllo", "'"}},
	}
	for _, tt := range tests {
		if got := tokens(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
