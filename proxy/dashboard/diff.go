package dashboard

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// op says what a diff line or segment is: in both texts, only in the
// original, or only in the rewrite.
type op int

const (
	same op = iota
	removed
	added
)

// diffLine is one line of a diff, cut into segments so that the part of a
// changed line that actually changed can be highlighted.
type diffLine struct {
	Op       op
	Segments []segment
}

// segment is a run of a line's text; Changed marks the tokens that are not
// in the line it was paired with.
type segment struct {
	Text    string
	Changed bool
}

// maxCells bounds the longest-common-subsequence tables. Rewrites change a
// few tokens of statements that are mostly short, and the common prefix and
// suffix are cut off first, so the bound is only reached by large
// statements rewritten in many places; those show their differing middle as
// removed and added in full instead of costing the page seconds.
const maxCells = 1 << 20

// diffSQL returns a line diff of a and b. A run of removed lines followed
// by a run of added lines is a change: its lines are paired in order and
// the tokens that differ within each pair are marked, because a rewrite
// usually inserts a few words into a line (a TABLESAMPLE clause) and a
// one-line statement would otherwise show as one line removed, one added.
func diffSQL(a, b string) []diffLine {
	x := splitLines(a)
	y := splitLines(b)
	ops := diffSeq(x, y)
	var out []diffLine
	for i := 0; i < len(ops); {
		if ops[i].op == same {
			out = append(out, diffLine{Op: same, Segments: []segment{{Text: ops[i].text}}})
			i++
			continue
		}
		// Collect a change: removed lines, then added lines.
		var dels, adds []string
		for ; i < len(ops) && ops[i].op == removed; i++ {
			dels = append(dels, ops[i].text)
		}
		for ; i < len(ops) && ops[i].op == added; i++ {
			adds = append(adds, ops[i].text)
		}
		delSegs := make([][]segment, len(dels))
		addSegs := make([][]segment, len(adds))
		for k := range dels {
			delSegs[k] = []segment{{Text: dels[k], Changed: true}}
		}
		for k := range adds {
			addSegs[k] = []segment{{Text: adds[k], Changed: true}}
		}
		for k := 0; k < len(dels) && k < len(adds); k++ {
			delSegs[k], addSegs[k] = diffTokens(dels[k], adds[k])
		}
		for _, s := range delSegs {
			out = append(out, diffLine{Op: removed, Segments: s})
		}
		for _, s := range addSegs {
			out = append(out, diffLine{Op: added, Segments: s})
		}
	}
	return out
}

func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Split(strings.TrimRight(s, "\n"), "\n")
}

type edit struct {
	op   op
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
		out = append(out, edit{same, t})
	}
	mx, my := x[p:len(x)-s], y[p:len(y)-s]
	if len(mx)*len(my) > maxCells {
		for _, t := range mx {
			out = append(out, edit{removed, t})
		}
		for _, t := range my {
			out = append(out, edit{added, t})
		}
	} else {
		out = append(out, lcsEdits(mx, my)...)
	}
	for _, t := range x[len(x)-s:] {
		out = append(out, edit{same, t})
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
			out = append(out, edit{same, x[i]})
			i++
			j++
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, edit{removed, x[i]})
			i++
		default:
			out = append(out, edit{added, y[j]})
			j++
		}
	}
	return out
}

// diffTokens diffs two lines token by token and returns each line's
// segments, with the tokens not in the other line marked changed.
func diffTokens(a, b string) (as, bs []segment) {
	for _, e := range diffSeq(tokens(a), tokens(b)) {
		switch e.op {
		case same:
			as = appendSegment(as, e.text, false)
			bs = appendSegment(bs, e.text, false)
		case removed:
			as = appendSegment(as, e.text, true)
		case added:
			bs = appendSegment(bs, e.text, true)
		}
	}
	return as, bs
}

// appendSegment adds text to the last segment when it has the same mark,
// so that a changed clause is one highlight, not one per token.
func appendSegment(segs []segment, text string, changed bool) []segment {
	if n := len(segs); n > 0 && segs[n-1].Changed == changed {
		segs[n-1].Text += text
		return segs
	}
	return append(segs, segment{Text: text, Changed: changed})
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
