package bigquery

import (
	"reflect"
	"testing"
)

func i64(n int64) *int64 { return &n }

func TestScanJobReply(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want jobReply
		done bool
	}{
		{"query reply", `{"kind":"bigquery#queryResponse","jobReference":{"projectId":"p","jobId":"j","location":"EU"},"schema":{"fields":[]},"rows":[{"f":[{"v":"1"}]}],"totalRows":"1","jobComplete":true,"totalBytesProcessed":"1234","totalBytesBilled":"10485760"}`,
			jobReply{ref: jobRef{"p", "j", "EU"}, complete: true, processed: i64(1234), billed: i64(10485760), rows: 1}, true},
		{"job still running", `{"jobReference":{"projectId":"p","jobId":"j"},"jobComplete":false}`,
			jobReply{ref: jobRef{ProjectID: "p", JobID: "j"}}, false},
		{"jobs.insert reply", `{"kind":"bigquery#job","jobReference":{"projectId":"p","jobId":"j"},"status":{"state":"RUNNING"}}`,
			jobReply{ref: jobRef{ProjectID: "p", JobID: "j"}, state: "RUNNING"}, false},
		{"failed job", `{"jobReference":{"projectId":"p","jobId":"j"},"status":{"state":"DONE","errorResult":{"reason":"invalidQuery","message":"no such table"}}}`,
			jobReply{ref: jobRef{ProjectID: "p", JobID: "j"}, state: "DONE", errMessage: "no such table"}, true},
		{"error reply", `{"error":{"code":400,"message":"Syntax error"}}`, jobReply{errMessage: "Syntax error"}, true},
		{"cut mid-rows", `{"jobReference":{"projectId":"p","jobId":"j"},"rows":[{"f":[{"v":"1`,
			jobReply{ref: jobRef{ProjectID: "p", JobID: "j"}}, false},
		{"not an object", `[1]`, jobReply{}, false},
		{"empty", ``, jobReply{}, false},
	}
	for _, tt := range tests {
		got := scanJobReply([]byte(tt.in))
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
		if got.done() != tt.done {
			t.Errorf("%s: done = %v, want %v", tt.name, got.done(), tt.done)
		}
	}
}
