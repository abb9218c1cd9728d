// Package textdiff compares a statement with its rewrite, line by line and,
// within changed lines, token by token.
//
// Rewrites splice a few words into the client's own text (a TABLESAMPLE
// clause, a partition filter), so the diff is meant for short texts that
// differ little: it is a longest-common-subsequence diff of the lines
// between the common prefix and suffix, bounded in size so that a large
// statement rewritten in many places costs little to show.
package textdiff

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Op says what a line or segment is: in both texts, only in the original,
// or only in the rewrite.
type Op int

// The ops of a diff.
const (
	Same Op = iota
	Removed
	Added
)

// Sign is the op's mark at the start of a line in a unified diff: a space,
// '-' or '+'.
func (o Op) Sign() string {
	switch o {
	case Removed:
		return "-"
	case Added:
		return "+"
	}
	return " "
}

// Line is one line of a diff. Text is the whole line; Segments cut it so
// that the part of a changed line that actually changed can be highlighted.
type Line struct {
	Op       Op
	Text     string
	Segments []Segment
}

// Segment is a run of a line's text; Changed marks the tokens that are not
// in the line it was paired with.
type Segment struct {
	Text    string
	Changed bool
}

// maxCells bounds the longest-common-subsequence tables. Rewrites change a
// few tokens of statements that are mostly short, and the common prefix and
// suffix are cut off first, so the bound is only reached by large
// statements rewritten in many places; those show their differing middle as
// removed and added in full instead of costing seconds.
const maxCells = 1 << 20

// Lines returns a line diff of a and b; Windows line ends count as plain
// ones, and a final line end does not make an empty line. Removals come
// before additions wherever both would do, as in unified diffs. A run of
// removed lines followed by a run of added lines is a change: its lines
// are paired in order and the tokens that differ within each pair are
// marked, because a rewrite usually inserts a few words into a line (a
// TABLESAMPLE clause) and a one-line statement would otherwise show as one
// line removed, one added.
func Lines(a, b string) []Line {
	ops := diffSeq(splitLines(a), splitLines(b))
	var out []Line
	for i := 0; i < len(ops); {
		if ops[i].op == Same {
			out = append(out, Line{Op: Same, Text: ops[i].text, Segments: []Segment{{Text: ops[i].text}}})
			i++
			continue
		}
		// Collect a change: removed lines, then added lines.
		var dels, adds []string
		for ; i < len(ops) && ops[i].op == Removed; i++ {
			dels = append(dels, ops[i].text)
		}
		for ; i < len(ops) && ops[i].op == Added; i++ {
			adds = append(adds, ops[i].text)
		}
		delSegs := make([][]Segment, len(dels))
		addSegs := make([][]Segment, len(adds))
		for k := range dels {
			delSegs[k] = []Segment{{Text: dels[k], Changed: true}}
		}
		for k := range adds {
			addSegs[k] = []Segment{{Text: adds[k], Changed: true}}
		}
		for k := 0; k < len(dels) && k < len(adds); k++ {
			delSegs[k], addSegs[k] = diffTokens(dels[k], adds[k])
		}
		for k, s := range delSegs {
			out = append(out, Line{Op: Removed, Text: dels[k], Segments: s})
		}
		for k, s := range addSegs {
			out = append(out, Line{Op: Added, Text: adds[k], Segments: s})
		}
	}
	return out
}

func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Split(strings.TrimRight(s, "\n"), "\n")
}

type edit struct {
	op   Op
	text string
}

// diffSeq returns the edits that turn x into y: the common prefix and
// suffix, and a longest common subsequence of what lies between.
func diffSeq(x, y []string) []edit {
	p := 0
	for p < len(x) && p < len(y) && x[p] == y[p] {
		p++
	}
	s := 0
	for s < len(x)-p && s < len(y)-p && x[len(x)-1-s] == y[len(y)-1-s] {
		s++
	}
	var out []edit
	for _, t := range x[:p] {
		out = append(out, edit{Same, t})
	}
	mx, my := x[p:len(x)-s], y[p:len(y)-s]
	if len(mx)*len(my) > maxCells {
		for _, t := range mx {
			out = append(out, edit{Removed, t})
		}
		for _, t := range my {
			out = append(out, edit{Added, t})
		}
	} else {
		out = append(out, lcsEdits(mx, my)...)
	}
	for _, t := range x[len(x)-s:] {
		out = append(out, edit{Same, t})
	}
	return out
}

// lcsEdits is the classic longest-common-subsequence diff; removals come
// before additions wherever both would do, as in unified diffs.
func lcsEdits(x, y []string) []edit {
	// lcs[i][j] is the LCS length of x[i:] and y[j:].
	lcs := make([][]int32, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []edit
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			out = append(out, edit{Same, x[i]})
			i++
			j++
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, edit{Removed, x[i]})
			i++
		default:
			out = append(out, edit{Added, y[j]})
			j++
		}
	}
	return out
}

// diffTokens diffs two lines token by token and returns each line's
// segments, with the tokens not in the other line marked changed.
func diffTokens(a, b string) (as, bs []Segment) {
	for _, e := range diffSeq(tokens(a), tokens(b)) {
		switch e.op {
		case Same:
			as = appendSegment(as, e.text, false)
			bs = appendSegment(bs, e.text, false)
		case Removed:
			as = appendSegment(as, e.text, true)
		case Added:
			bs = appendSegment(bs, e.text, true)
		}
	}
	return as, bs
}

// appendSegment adds text to the last segment when it has the same mark,
// so that a changed clause is one highlight, not one per token.
func appendSegment(segs []Segment, text string, changed bool) []Segment {
	if n := len(segs); n > 0 && segs[n-1].Changed == changed {
		segs[n-1].Text += text
		return segs
	}
	return append(segs, Segment{Text: text, Changed: changed})
}

// tokens cuts a line into words (letters, digits, underscores, dots
// between them are separate), runs of white space, and single other
// characters, which is fine enough to show a clause inserted into SQL.
func tokens(s string) []string {
	var out []string
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		end := n
		switch {
		case isWord(r):
			for end < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[end:])
				if !isWord(r2) {
					break
				}
				end += n2
			}
		case unicode.IsSpace(r):
			for end < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[end:])
				if !unicode.IsSpace(r2) {
					break
				}
				end += n2
			}
		}
		out = append(out, s[:end])
		s = s[end:]
	}
	return out
}

func isWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}
