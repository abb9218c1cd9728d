package ledger

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// redacted replaces a password wherever the ledger shows a connection
// string.
const redacted = "xxxxx"

// passwordParam matches a password or sslpassword setting in a URL's query
// or a keyword/value connection string, quoted or not.
var passwordParam = regexp.MustCompile(`(?i)(\b(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'|[^&\s]*)`)

// Redact returns a ledger target fit to show in a page, a log line or a
// summary: a PostgreSQL URL with its passwords replaced by xxxxx, a file
// path as it is.
func Redact(target string) string {
	if !IsPostgres(target) {
		return target
	}
	return redactDSN(target)
}

// redactDSN returns dsn with every password in it, in the user info or a
// password parameter, replaced by xxxxx, so that it can be logged or put in
// an error. A string that does not parse as a URL is redacted generously:
// better a mangled host in a message than a leaked password.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || !strings.Contains(dsn, "://") { // keyword/value strings parse as paths
		return passwordParam.ReplaceAllString(redactUserinfo(dsn), "${1}"+redacted)
	}
	if q := u.Query(); q.Has("password") || q.Has("sslpassword") {
		for _, k := range []string{"password", "sslpassword"} {
			if q.Has(k) {
				q.Set(k, redacted)
			}
		}
		u.RawQuery = q.Encode()
	}
	return passwordParam.ReplaceAllString(u.Redacted(), "${1}"+redacted)
}

// redactUserinfo blanks what follows the first colon of the user info of a
// URL that did not parse. A password may hold any character, so the user
// info is taken to end at the last @.
func redactUserinfo(dsn string) string {
	scheme, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return dsn
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return dsn
	}
	user, _, hasPassword := strings.Cut(rest[:at], ":")
	if !hasPassword {
		return dsn
	}
	return scheme + "://" + user + ":" + redacted + rest[at:]
}

// dsnSecrets returns the passwords dsn spells out, as written and decoded,
// so that they can be scrubbed from messages that quote the string.
func dsnSecrets(dsn string) []string {
	var out []string
	add := func(s string) {
		if s != "" && s != redacted {
			out = append(out, s)
		}
	}
	if scheme, rest, ok := strings.Cut(dsn, "://"); ok && scheme != "" {
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if _, pw, ok := strings.Cut(rest[:at], ":"); ok {
				add(pw)
				if dec, err := url.PathUnescape(pw); err == nil {
					add(dec)
				}
			}
		}
	}
	for _, m := range passwordParam.FindAllStringSubmatch(dsn, -1) {
		pw := m[2]
		add(pw)
		if dec, err := url.QueryUnescape(pw); err == nil {
			add(dec)
		}
		add(strings.Trim(pw, "'"))
	}
	return out
}

// redactedError scrubs passwords from an error's text: pgx's and net/url's
// errors can quote the connection string they were given. Unwrap still
// reaches the original, for errors.Is and errors.As.
type redactedError struct {
	err     error
	secrets []string
}

// redactErr wraps err so that none of secrets appears in its text; nil
// stays nil.
func redactErr(err error, secrets []string) error {
	if err == nil || len(secrets) == 0 {
		return err
	}
	// Longest first, so that a password containing another is scrubbed
	// whole.
	secrets = slices.Clone(secrets)
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	return &redactedError{err: err, secrets: secrets}
}

func (e *redactedError) Error() string {
	msg := e.err.Error()
	for _, s := range e.secrets {
		msg = strings.ReplaceAll(msg, s, redacted)
	}
	return msg
}

func (e *redactedError) Unwrap() error { return e.err }
