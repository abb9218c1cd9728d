package trino

import (
	"encoding/base64"
	"net/url"
	"testing"
)

// TestTargetStaysOnUpstream: paths come back from clients inside skim's
// URLs; none may turn into another host.
func TestTargetStaysOnUpstream(t *testing.T) {
	u, _ := url.Parse("http://trino:8080")
	up := &upstream{name: "trino", url: u}
	for _, path := range []string{"@evil.example/x", "/v1/statement/q", "//evil.example/x", "evil.example/x", ""} {
		got, err := url.Parse(up.target(path))
		if err != nil || got.Host != "trino:8080" || got.User != nil {
			t.Errorf("target(%q) = %q, which leaves the upstream", path, up.target(path))
		}
	}
	_, st, err := parseGuard(guardPrefix + "trino/" + base64.RawURLEncoding.EncodeToString([]byte(`{"a":["@evil.example/q"],"i":0,"n":"@evil.example/q","m":1}`)))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := url.Parse(up.target(st.Next)); got.Host != "trino:8080" {
		t.Errorf("a guard URL sent skim to %q", got.Host)
	}
}
