package trino

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
)

// pageURIKeys are the top-level QueryResults fields, and segmentURIKeys
// the fields of a spooled segment (data.segments[i]), that hold absolute
// URLs of the coordinator, which the client must reach through skim
// instead. Nothing inside rows is ever touched.
var (
	pageURIKeys    = map[string]bool{"nextUri": true, "infoUri": true, "partialCancelUri": true}
	segmentURIKeys = map[string]bool{"uri": true, "ackUri": true}
)

// pageRewriter streams a QueryResults JSON document from the coordinator to
// the client, rewriting URL fields and adding skim's warning, without ever
// holding a whole page: only keys and URL strings are buffered, never the
// rows in "data".
type pageRewriter struct {
	src io.Reader
	// mapURI rewrites one coordinator URL.
	mapURI func(string) string
	// warning is a JSON object to add to "warnings", or nil.
	warning []byte

	in, buf, out []byte
	err          error

	stack    []frame
	inString bool
	escape   bool
	// capture holds the current key or URL value; capturing is false while
	// a string is passed through unbuffered.
	capture   []byte
	capturing bool
	isKey     bool
	// injectNext is set after the '[' of the top-level "warnings" array.
	injectNext  bool
	sawWarnings bool

	// nextURI is the page's own nextUri, as the coordinator sent it, so
	// the proxy can cancel the query.
	nextURI string
	// complete is set once the page's top-level object has closed.
	complete bool
	// summary is what the page says about the query, for the ledger.
	summary pageSummary
	num     []byte
}

// pageSummary is what one page says about its query: its id, state,
// processed bytes, rows and error. Rows are counted, never read.
type pageSummary struct {
	queryID        string
	state          string
	processedBytes int64
	hasProcessed   bool
	rows           int64
	errMessage     string
}

type frame struct {
	object    bool
	expectKey bool
	key       string
	// members is true once the object has a key.
	members bool
}

// maxCapture bounds a buffered key or URL; longer strings pass through
// unchanged.
const maxCapture = 16 << 10

func newPageRewriter(src io.Reader, mapURI func(string) string, warning []byte) *pageRewriter {
	return &pageRewriter{src: src, mapURI: mapURI, warning: warning, in: make([]byte, 32<<10)}
}

func (p *pageRewriter) Read(b []byte) (int, error) {
	for len(p.out) == 0 {
		if p.err != nil {
			return 0, p.err
		}
		n, err := p.src.Read(p.in)
		p.process(p.in[:n])
		if err != nil && p.capturing {
			// The document ended inside a buffered string: pass it on.
			p.out = append(p.out, p.capture...)
			p.capturing = false
		}
		p.err = err
	}
	n := copy(b, p.out)
	p.out = p.out[n:]
	return n, nil
}

func (p *pageRewriter) top() *frame {
	if len(p.stack) == 0 {
		return nil
	}
	return &p.stack[len(p.stack)-1]
}

func (p *pageRewriter) process(chunk []byte) {
	// Read calls process only once out is drained, so buf is free.
	out := p.buf[:0]
	for i := 0; i < len(chunk); i++ {
		c := chunk[i]
		if p.inString && !p.capturing && !p.escape {
			// Rows are mostly strings: copy up to the next quote or
			// backslash at once.
			rest := chunk[i:]
			n := bytes.IndexByte(rest, '"')
			if n < 0 {
				n = len(rest)
			}
			if b := bytes.IndexByte(rest[:n], '\\'); b >= 0 {
				n = b
			}
			j := i + n
			out = append(out, chunk[i:j]...)
			if j == len(chunk) {
				break
			}
			i, c = j, chunk[j]
		}
		if p.inString {
			if p.capturing {
				p.capture = append(p.capture, c)
			} else {
				out = append(out, c)
			}
			switch {
			case p.escape:
				p.escape = false
			case c == '\\':
				p.escape = true
			case c == '"':
				p.inString = false
				if p.capturing {
					out = p.endCapture(out)
				}
			}
			if p.capturing && len(p.capture) > maxCapture {
				out = append(out, p.capture...)
				p.capture, p.capturing = p.capture[:0], false
				if t := p.top(); p.isKey && t != nil {
					t.key, t.members = "", true
				}
			}
			continue
		}
		if !p.inString && !p.injectNext && !structural[c] {
			// Numbers, literals and whitespace between rows: copy the
			// run up to the next character that matters.
			j := i + 1
			for j < len(chunk) && !structural[chunk[j]] {
				j++
			}
			if p.statsField("processedBytes") {
				p.num = append(p.num, chunk[i:j]...)
			}
			out = append(out, chunk[i:j]...)
			i = j - 1
			continue
		}
		if p.injectNext && !isSpace(c) {
			p.injectNext = false
			out = append(out, p.warning...)
			if c != ']' {
				out = append(out, ',')
			}
		}
		switch c {
		case '"':
			p.inString = true
			t := p.top()
			switch {
			case t != nil && t.object && t.expectKey && p.inRows():
				// Keys of ROW and MAP values decide nothing: they pass
				// through unbuffered, like the values.
				t.key, t.members = "", true
			case t != nil && t.object && t.expectKey:
				p.capturing, p.isKey = true, true
				p.capture = append(p.capture[:0], c)
				continue
			case p.urlField() || p.summaryField():
				p.capturing, p.isKey = true, false
				p.capture = append(p.capture[:0], c)
				continue
			}
		case '{':
			p.stack = append(p.stack, frame{object: true, expectKey: true})
		case '[':
			if len(p.stack) == 2 && p.stack[0].key == "data" && !p.stack[1].object {
				p.summary.rows++
			}
			if len(p.stack) == 1 && p.stack[0].key == "warnings" && p.warning != nil {
				p.sawWarnings = true
				p.injectNext = true
			}
			p.stack = append(p.stack, frame{})
		case '}', ']':
			p.endNumber()
			if c == '}' && len(p.stack) == 1 && !p.sawWarnings && p.warning != nil {
				if p.stack[0].members {
					out = append(out, ',')
				}
				out = append(out, `"warnings":[`...)
				out = append(out, p.warning...)
				out = append(out, ']')
			}
			if len(p.stack) > 0 {
				p.stack = p.stack[:len(p.stack)-1]
				p.complete = len(p.stack) == 0
			}
		case ',':
			p.endNumber()
			if t := p.top(); t != nil && t.object {
				t.expectKey = true
			}
		case ':':
			if t := p.top(); t != nil && t.object {
				t.expectKey = false
			}
		}
		out = append(out, c)
	}
	p.buf, p.out = out, out
}

// urlField reports whether the value about to start is one of the URL
// fields: a top-level page field, or a field of an object in the
// top-level data.segments array.
func (p *pageRewriter) urlField() bool {
	switch st := p.stack; len(st) {
	case 1:
		return st[0].object && pageURIKeys[st[0].key]
	case 4:
		return st[0].key == "data" && st[1].object && st[1].key == "segments" &&
			!st[2].object && st[3].object && segmentURIKeys[st[3].key]
	}
	return false
}

// inRows reports whether the rewriter is inside a row of the page's
// "data" array, where nothing is rewritten or read.
func (p *pageRewriter) inRows() bool {
	return len(p.stack) >= 3 && p.stack[0].key == "data" && !p.stack[1].object
}

// summaryField reports whether the string value about to start is one the
// page summary keeps: the query id, its state or its error message.
func (p *pageRewriter) summaryField() bool {
	switch st := p.stack; len(st) {
	case 1:
		return st[0].object && st[0].key == "id"
	case 2:
		return st[1].object && (st[0].key == "stats" && st[1].key == "state" || st[0].key == "error" && st[1].key == "message")
	}
	return false
}

// statsField reports whether the value being read is stats.<name>.
func (p *pageRewriter) statsField(name string) bool {
	st := p.stack
	return len(st) == 2 && st[0].key == "stats" && st[1].object && !st[1].expectKey && st[1].key == name
}

// noteSummary keeps a summary string field's value.
func (p *pageRewriter) noteSummary(val string) {
	switch st := p.stack; {
	case len(st) == 1:
		p.summary.queryID = val
	case st[0].key == "stats":
		p.summary.state = val
	default:
		p.summary.errMessage = val
	}
}

// endNumber finishes stats.processedBytes when its number ends.
func (p *pageRewriter) endNumber() {
	if len(p.num) == 0 {
		return
	}
	if n, err := strconv.ParseInt(string(bytes.TrimSpace(p.num)), 10, 64); err == nil {
		p.summary.processedBytes, p.summary.hasProcessed = n, true
	}
	p.num = p.num[:0]
}

// endCapture finishes a buffered key or value string, capture holding it
// with its quotes.
func (p *pageRewriter) endCapture(out []byte) []byte {
	p.capturing = false
	raw := p.capture
	t := p.top()
	if p.isKey {
		t.key = string(raw[1 : len(raw)-1])
		t.members = true
		return append(out, raw...)
	}
	val := string(raw[1 : len(raw)-1])
	if !p.urlField() {
		if bytes.IndexByte(raw, '\\') >= 0 {
			_ = json.Unmarshal(raw, &val)
		}
		p.noteSummary(val)
		return append(out, raw...)
	}
	if len(p.stack) == 1 && t.key == "nextUri" {
		p.nextURI = val
	}
	if bytes.IndexByte(raw, '\\') >= 0 {
		// URLs never need escapes; leave anything unusual alone.
		return append(out, raw...)
	}
	out = append(out, '"')
	out = append(out, p.mapURI(val)...)
	return append(out, '"')
}

// structural marks the bytes outside strings that change the rewriter's
// state.
var structural = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true, ',': true, ':': true}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t'
}
