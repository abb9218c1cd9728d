package trino

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func upper(s string) string { return "SKIM(" + s + ")" }

func TestPageRewriter(t *testing.T) {
	warning := []byte(`{"warningCode":{"code":1,"name":"SKIM_REWRITE"},"message":"m"}`)
	tests := []struct {
		name    string
		in      string
		warning []byte
		want    string
		uri     string
	}{
		{
			name: "url fields",
			in:   `{"id":"q1","infoUri":"http://c/ui/q1","nextUri":"http://c/v1/statement/executing/q1/y/1","stats":{"state":"RUNNING"}}`,
			want: `{"id":"q1","infoUri":"SKIM(http://c/ui/q1)","nextUri":"SKIM(http://c/v1/statement/executing/q1/y/1)","stats":{"state":"RUNNING"}}`,
			uri:  "http://c/v1/statement/executing/q1/y/1",
		},
		{
			name: "data strings that look like keys are untouched",
			in:   `{"data":[["nextUri","http://c/x"],{"nextUri":1}],"columns":[{"name":"uri"}]}`,
			want: `{"data":[["nextUri","http://c/x"],{"nextUri":1}],"columns":[{"name":"uri"}]}`,
		},
		{
			name: "spooled segments",
			in:   `{"data":{"encoding":"json","segments":[{"type":"spooled","uri":"http://c/v1/spooled/download/a","ackUri":"http://c/v1/spooled/ack/a"}]}}`,
			want: `{"data":{"encoding":"json","segments":[{"type":"spooled","uri":"SKIM(http://c/v1/spooled/download/a)","ackUri":"SKIM(http://c/v1/spooled/ack/a)"}]}}`,
		},
		{
			name: "maps in rows keep their URLs",
			in:   `{"data":[[{"uri":"http://c/v1/statement/x","nextUri":"http://c/v1/query/y"}]],"columns":[{"name":"m","type":"map(varchar,varchar)"}]}`,
			want: `{"data":[[{"uri":"http://c/v1/statement/x","nextUri":"http://c/v1/query/y"}]],"columns":[{"name":"m","type":"map(varchar,varchar)"}]}`,
		},
		{
			name:    "warning into an empty list",
			in:      `{"id":"q","warnings":[ ]}`,
			warning: warning,
			want:    `{"id":"q","warnings":[ ` + string(warning) + `]}`,
		},
		{
			name:    "warning before the engine's own",
			in:      `{"warnings":[{"message":"x"}]}`,
			warning: warning,
			want:    `{"warnings":[` + string(warning) + `,{"message":"x"}]}`,
		},
		{
			name:    "warning added when the page has none",
			in:      `{"id":"q","stats":{"warnings":[]}}`,
			warning: warning,
			want:    `{"id":"q","stats":{"warnings":[]},"warnings":[` + string(warning) + `]}`,
		},
		{
			name: "escapes in strings and keys",
			in:   `{"a\"nextUri":"x\"y","nextUri":"http://c/\u0041"}`,
			want: `{"a\"nextUri":"x\"y","nextUri":"http://c/\u0041"}`,
			uri:  `http://c/\u0041`,
		},
		{
			name: "multi-byte text",
			in:   `{"data":[["héllo ✓"]],"nextUri":"http://c/n"}`,
			want: `{"data":[["héllo ✓"]],"nextUri":"SKIM(http://c/n)"}`,
			uri:  "http://c/n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// One byte at a time, so every state crosses a read boundary.
			p := newPageRewriter(iotest.OneByteReader(strings.NewReader(tt.in)), upper, tt.warning)
			got, err := io.ReadAll(p)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if p.nextURI != tt.uri {
				t.Errorf("nextUri = %q, want %q", p.nextURI, tt.uri)
			}
		})
	}
}

// FuzzPageRewriter checks that rewriting keeps a JSON document valid and
// that, without URL fields or a warning, it changes nothing.
func FuzzPageRewriter(f *testing.F) {
	f.Add(`{"id":"q","nextUri":"http://c/v1/statement/1","data":[[1,"a"]],"warnings":[]}`)
	f.Add(`{"data":[["\"nextUri\"",{"uri":"x"}]]}`)
	f.Fuzz(func(t *testing.T, in string) {
		out, err := io.ReadAll(newPageRewriter(strings.NewReader(in), upper, []byte(`{"w":1}`)))
		if err != nil {
			t.Fatal(err)
		}
		if json.Valid([]byte(in)) && !json.Valid(out) {
			t.Fatalf("valid input became invalid:\n in  %s\n out %s", in, out)
		}
		same, _ := io.ReadAll(newPageRewriter(strings.NewReader(in), func(s string) string { return s }, nil))
		if !bytes.Equal(same, []byte(in)) {
			t.Fatalf("an identity rewrite changed the document:\n in  %s\n out %s", in, same)
		}
	})
}

// TestPageSummary checks what the rewriter reads of a page for the ledger,
// byte by byte and in one read: the query id, state, processed bytes, the
// rows (counted, whatever they hold) and the error; nothing inside rows or
// other objects is mistaken for them.
func TestPageSummary(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want pageSummary
	}{
		{"rows and stats",
			`{"id":"q1","data":[[1,"a"],[2,{"id":"not-me","state":"x"}],[3,[4,5]]],"stats":{"state":"RUNNING","processedBytes": 12345 ,"processedRows":3}}`,
			pageSummary{queryID: "q1", state: "RUNNING", processedBytes: 12345, hasProcessed: true, rows: 3}},
		{"a map row and nested objects",
			`{"id":"q2","columns":[{"name":"id"}],"data":[[{"stats":{"processedBytes":9}}]],"stats":{"nodes":{"processedBytes":7},"processedBytes":0}}`,
			pageSummary{queryID: "q2", processedBytes: 0, hasProcessed: true, rows: 1}},
		{"an error with escapes",
			`{"id":"q3","stats":{"state":"FAILED"},"error":{"message":"line 1:15: Table \"x\" does not exist","errorCode":1}}`,
			pageSummary{queryID: "q3", state: "FAILED", errMessage: `line 1:15: Table "x" does not exist`}},
		{"no rows", `{"id":"q4","data":[],"stats":{"state":"FINISHED"}}`,
			pageSummary{queryID: "q4", state: "FINISHED"}},
	}
	for _, tt := range tests {
		for _, oneByte := range []bool{false, true} {
			var src io.Reader = strings.NewReader(tt.in)
			if oneByte {
				src = iotest.OneByteReader(src)
			}
			p := newPageRewriter(src, func(s string) string { return s }, nil)
			if _, err := io.ReadAll(p); err != nil {
				t.Fatal(err)
			}
			if p.summary != tt.want {
				t.Errorf("%s (one byte at a time: %v): summary %+v, want %+v", tt.name, oneByte, p.summary, tt.want)
			}
		}
	}
}

// BenchmarkPageRewriter streams a 20,000-row page through the rewriter,
// with rows of plain values and with rows holding objects (ROW and MAP
// values), whose keys the rewriter has no use for.
func BenchmarkPageRewriter(b *testing.B) {
	for _, tc := range []struct{ name, row string }{
		{"array rows", `[12345,"user@example.com","2026-11-25 10:00:00",3.25]`},
		{"object rows", `[12345,{"email":"user@example.com","ts":"2026-11-25 10:00:00"},{"a":1,"b":2}]`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var page bytes.Buffer
			page.WriteString(`{"id":"q","nextUri":"http://coordinator:8080/v1/statement/executing/q/x/1","data":[`)
			for i := 0; i < 20000; i++ {
				if i > 0 {
					page.WriteByte(',')
				}
				page.WriteString(tc.row)
			}
			page.WriteString(`],"stats":{"state":"RUNNING","processedBytes":1}}`)
			in := page.Bytes()
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				p := newPageRewriter(bytes.NewReader(in), upper, nil)
				if _, err := io.Copy(io.Discard, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
