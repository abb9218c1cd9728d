package trino

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Paths skim serves for queries it forwards. Everything a client needs to
// continue a query is in the path, so any skim replica can serve the next
// page, and a restarted skim serves it too.
//
//	/skim/{upstream}/{note}/{coordinator path}   a page of a forwarded query
//	/skim-guard/{upstream}/{state}               a guarded page (guard.go)
//
// {note} is "-" or the base64url JSON of a note: the rewrite's rules, the
// warning added to every page, and the statement's ledger record id.
const (
	pagePrefix  = "/skim/"
	guardPrefix = "/skim-guard/"
)

// note travels in the path of a query's pages.
type note struct {
	// Rules are the rules that rewrote the statement, none when it runs
	// as the client wrote it.
	Rules []string `json:"r,omitempty"`
	// Warning is added to every page; "" adds none.
	Warning string `json:"w,omitempty"`
	// Run is the pipeline's run id, so the skim that decided can record
	// how the statement ended.
	Run string `json:"l,omitempty"`
}

// rewritten reports whether the note is of a rewritten statement.
func (n *note) rewritten() bool { return n != nil && len(n.Rules) > 0 }

func encodeNote(n *note) string {
	if n == nil {
		return "-"
	}
	b, _ := json.Marshal(n)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeNote(s string) (*note, error) {
	if s == "-" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("bad note in path: %w", err)
	}
	var n note
	if err := json.Unmarshal(b, &n); err != nil {
		return nil, fmt.Errorf("bad note in path: %w", err)
	}
	return &n, nil
}

// pageRoute is a parsed /skim/ path.
type pageRoute struct {
	upstream string
	note     *note
	// path is the coordinator path with its query string.
	path string
}

func parsePageRoute(u *url.URL) (pageRoute, error) {
	rest := strings.TrimPrefix(u.EscapedPath(), pagePrefix)
	name, rest, ok1 := strings.Cut(rest, "/")
	enc, path, ok2 := strings.Cut(rest, "/")
	if !ok1 || !ok2 || name == "" {
		return pageRoute{}, fmt.Errorf("malformed skim path %q", u.Path)
	}
	n, err := decodeNote(enc)
	if err != nil {
		return pageRoute{}, err
	}
	r := pageRoute{upstream: name, note: n, path: "/" + path}
	if u.RawQuery != "" {
		r.path += "?" + u.RawQuery
	}
	return r, nil
}

// coordinatorPaths are the path prefixes of coordinator URLs a client
// follows during a query.
var coordinatorPaths = []string{"/v1/statement/", "/v1/query/", "/v1/spooled/", "/ui/"}

// pageBase is the start of the skim URLs of one response's pages: the
// public base, the upstream and the note, encoded once for all the URLs
// the response holds.
func (u *upstream) pageBase(base string, n *note) string {
	return base + pagePrefix + u.name + "/" + encodeNote(n)
}

// clientURI maps a coordinator URL into the skim URL, under pageBase, that
// forwards to it. URLs of other hosts (spooled segments in object storage)
// stay as they are.
func (u *upstream) clientURI(pageBase, raw string) string {
	parsed, err := url.Parse(raw)
	if err != nil || !u.owns(parsed) {
		return raw
	}
	path := parsed.EscapedPath()
	if parsed.RawQuery != "" {
		path += "?" + parsed.RawQuery
	}
	return pageBase + path
}

// owns reports whether a URL the coordinator handed out points at this
// upstream: its own host, or a coordinator path on a host name the
// coordinator uses for itself.
func (u *upstream) owns(p *url.URL) bool {
	if p.Host == "" {
		return false
	}
	if strings.EqualFold(p.Host, u.url.Host) {
		return true
	}
	for _, prefix := range coordinatorPaths {
		if strings.HasPrefix(p.Path, prefix) {
			return true
		}
	}
	return false
}

// target is the coordinator URL for a path under this upstream. Paths
// come from URLs clients send back, so one that does not start with "/"
// gets one: "@elsewhere/x" must never become a host.
func (u *upstream) target(path string) string {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return strings.TrimSuffix(u.url.String(), "/") + path
}
