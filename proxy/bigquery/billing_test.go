package bigquery

import "testing"

func TestScanJobReply(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want jobReply
	}{
		{"query reply", `{"kind":"bigquery#queryResponse","jobReference":{"projectId":"p","jobId":"j","location":"EU"},"schema":{"fields":[]},"rows":[{"f":[{"v":"1"}]}],"jobComplete":true,"totalBytesBilled":"10485760"}`,
			jobReply{ref: jobRef{"p", "j", "EU"}, complete: true, billed: 10485760, hasBill: true}},
		{"job still running", `{"jobReference":{"projectId":"p","jobId":"j"},"jobComplete":false}`,
			jobReply{ref: jobRef{ProjectID: "p", JobID: "j"}}},
		{"cut mid-rows", `{"jobReference":{"projectId":"p","jobId":"j"},"rows":[{"f":[{"v":"1`,
			jobReply{ref: jobRef{ProjectID: "p", JobID: "j"}}},
		{"not an object", `[1]`, jobReply{}},
		{"empty", ``, jobReply{}},
	}
	for _, tt := range tests {
		if got := scanJobReply([]byte(tt.in)); got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
