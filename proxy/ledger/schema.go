package ledger

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The ledger's tables. Columns are named after the record's JSON fields,
// except user, which SQL reserves: user_name.
const (
	ledgerTable   = "skim_ledger"
	schemaTable   = "skim_ledger_schema"
	incomingTable = "skim_ledger_incoming"

	// columnList is skim_ledger's columns in the order of rowValues and
	// scanRecord.
	columnList = "id, time, frontend, upstream, user_name, source, client_tags, labels, team, query_id, " +
		"policy, mode, fingerprint, sql, rewritten, tables, filter_columns, rules, decision, reason, method, " +
		"estimated_bytes_before, estimated_bytes_after, bytes_processed, bytes_billed, bytes_saved, " +
		"price_per_tib, money_saved, rows, latency_ms, rewrite_ms, error"

	// migrationLock is the advisory lock that keeps two skims starting at
	// once from migrating the same database together.
	migrationLock int64 = 0x736b696d6c6564 // "skimled"
)

// schemaVersions returns the statements that make each version of the
// schema, version 1 first: a database at version v runs those of versions
// v+1 onwards. Add versions at the end; never edit one that has shipped,
// since databases already at it would not run the change.
func schemaVersions() [][]string {
	return [][]string{
		{
			`CREATE TABLE IF NOT EXISTS ` + ledgerTable + ` (
				id text PRIMARY KEY,
				time timestamptz NOT NULL,
				frontend text NOT NULL DEFAULT '',
				upstream text NOT NULL DEFAULT '',
				user_name text NOT NULL DEFAULT '',
				source text NOT NULL DEFAULT '',
				client_tags text[] NOT NULL DEFAULT '{}',
				labels jsonb NOT NULL DEFAULT '{}',
				team text NOT NULL DEFAULT '',
				query_id text NOT NULL DEFAULT '',
				policy text NOT NULL DEFAULT '',
				mode text NOT NULL DEFAULT '',
				fingerprint text NOT NULL DEFAULT '',
				sql text NOT NULL DEFAULT '',
				rewritten text NOT NULL DEFAULT '',
				tables text[] NOT NULL DEFAULT '{}',
				filter_columns text[] NOT NULL DEFAULT '{}',
				rules text[] NOT NULL DEFAULT '{}',
				decision text NOT NULL,
				reason text NOT NULL DEFAULT '',
				method text NOT NULL DEFAULT '',
				estimated_bytes_before bigint NOT NULL DEFAULT 0,
				estimated_bytes_after bigint NOT NULL DEFAULT 0,
				bytes_processed bigint,
				bytes_billed bigint,
				bytes_saved bigint NOT NULL DEFAULT 0,
				price_per_tib double precision NOT NULL DEFAULT 0,
				money_saved double precision NOT NULL DEFAULT 0,
				rows bigint,
				latency_ms double precision NOT NULL DEFAULT 0,
				rewrite_ms double precision NOT NULL DEFAULT 0,
				error text NOT NULL DEFAULT ''
			)`,
			// Reports read a span of time in order; id breaks ties so that
			// the order is stable.
			`CREATE INDEX IF NOT EXISTS skim_ledger_time ON ` + ledgerTable + ` (time, id)`,
		},
	}
}

// migrate brings the database's schema up to the newest version this skim
// knows, in one transaction under an advisory lock, and returns the version
// the database is at. A database at a newer version, written by a newer
// skim, is left alone: its columns include ours.
func migrate(ctx context.Context, conn *pgx.Conn) (int, error) {
	// A database that is up to date needs neither the lock nor the right
	// to create tables, which a user that only writes the ledger may lack.
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass('"+schemaTable+"') IS NOT NULL").Scan(&exists); err != nil {
		return 0, err
	}
	var version int
	if exists {
		if err := conn.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM "+schemaTable).Scan(&version); err != nil {
			return 0, err
		}
		if version >= len(schemaVersions()) {
			return version, nil
		}
	}
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+schemaTable+` (
			version integer PRIMARY KEY,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM "+schemaTable).Scan(&version); err != nil {
			return err
		}
		versions := schemaVersions()
		for ; version < len(versions); version++ {
			for _, stmt := range versions[version] {
				if _, err := tx.Exec(ctx, stmt); err != nil {
					return fmt.Errorf("schema version %d: %w", version+1, err)
				}
			}
			if _, err := tx.Exec(ctx, "INSERT INTO "+schemaTable+" (version) VALUES ($1)", version+1); err != nil {
				return err
			}
		}
		return nil
	})
	return version, err
}

// incomingSQL makes the session's staging table: a batch is copied there,
// then moved into the ledger skipping ids it holds already, which COPY
// alone cannot do. Its rows go at commit.
const incomingSQL = "CREATE TEMPORARY TABLE IF NOT EXISTS " + incomingTable +
	" (LIKE " + ledgerTable + " INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"

// moveSQL moves the staged batch into the ledger; a record replayed after
// an outage is there already and is skipped.
const moveSQL = "INSERT INTO " + ledgerTable + " (" + columnList + ") SELECT " + columnList +
	" FROM " + incomingTable + " ON CONFLICT (id) DO NOTHING"

// insertRecords stores recs in one transaction; records already stored
// are skipped.
func insertRecords(ctx context.Context, db interface {
	Begin(context.Context) (pgx.Tx, error)
}, recs []Record) error {
	return pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, incomingSQL); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{incomingTable}, strings.Split(columnList, ", "),
			pgx.CopyFromSlice(len(recs), func(i int) ([]any, error) { return rowValues(recs[i]), nil })); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, moveSQL)
		return err
	})
}

// rowValues returns r's columns in the order of columnList.
func rowValues(r Record) []any {
	clean(&r)
	labels := r.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	return []any{
		r.ID, r.Time, r.Frontend, r.Upstream, r.User, r.Source, nonNil(r.ClientTags), labels, r.Team, r.QueryID,
		r.Policy, r.Mode, r.Fingerprint, r.SQL, r.Rewritten, nonNil(r.Tables), nonNil(r.FilterColumns), nonNil(r.Rules), r.Decision, r.Reason, r.Method,
		r.EstimatedBytesBefore, r.EstimatedBytesAfter, r.BytesProcessed, r.BytesBilled, r.BytesSaved,
		r.PricePerTiB, r.MoneySaved, r.Rows, r.LatencyMS, r.RewriteMS, r.Error,
	}
}

// nonNil stores a missing list as an empty one, so that queries need not
// tell NULL from empty.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// scanRecord reads a row of columnList into a record. The labels come back
// as JSON for the caller to decode, so that one odd row does not end the
// read.
func scanRecord(rows pgx.Rows) (Record, []byte, error) {
	var r Record
	var labels []byte
	err := rows.Scan(
		&r.ID, &r.Time, &r.Frontend, &r.Upstream, &r.User, &r.Source, &r.ClientTags, &labels, &r.Team, &r.QueryID,
		&r.Policy, &r.Mode, &r.Fingerprint, &r.SQL, &r.Rewritten, &r.Tables, &r.FilterColumns, &r.Rules, &r.Decision, &r.Reason, &r.Method,
		&r.EstimatedBytesBefore, &r.EstimatedBytesAfter, &r.BytesProcessed, &r.BytesBilled, &r.BytesSaved,
		&r.PricePerTiB, &r.MoneySaved, &r.Rows, &r.LatencyMS, &r.RewriteMS, &r.Error,
	)
	r.Time = r.Time.UTC()
	for _, s := range []*[]string{&r.ClientTags, &r.Tables, &r.FilterColumns, &r.Rules} {
		if len(*s) == 0 {
			*s = nil
		}
	}
	return r, labels, err
}

// clean makes r storable: PostgreSQL refuses text with NUL bytes or
// invalid UTF-8 and JSON has no NaN or infinity, and a record refused
// would be retried for ever. Lists and labels are copied before they are
// changed, since the caller may still hold them.
func clean(r *Record) {
	for _, s := range []*string{
		&r.ID, &r.Frontend, &r.Upstream, &r.User, &r.Source, &r.Team, &r.QueryID, &r.Policy, &r.Mode,
		&r.Fingerprint, &r.SQL, &r.Rewritten, &r.Decision, &r.Reason, &r.Method, &r.Error,
	} {
		*s = cleanText(*s)
	}
	for _, list := range []*[]string{&r.ClientTags, &r.Tables, &r.FilterColumns, &r.Rules} {
		for i, s := range *list {
			if c := cleanText(s); c != s {
				copied := append([]string(nil), (*list)...)
				for j := i; j < len(copied); j++ {
					copied[j] = cleanText(copied[j])
				}
				*list = copied
				break
			}
		}
	}
	for k, v := range r.Labels {
		if cleanText(k) != k || cleanText(v) != v {
			labels := make(map[string]string, len(r.Labels))
			for k, v := range r.Labels {
				labels[cleanText(k)] = cleanText(v)
			}
			r.Labels = labels
			break
		}
	}
	for _, f := range []*float64{&r.PricePerTiB, &r.MoneySaved, &r.LatencyMS, &r.RewriteMS} {
		if math.IsNaN(*f) || math.IsInf(*f, 0) {
			*f = 0
		}
	}
}

// cleanText drops NUL bytes and replaces invalid UTF-8 with U+FFFD.
func cleanText(s string) string {
	if utf8.ValidString(s) && !strings.Contains(s, "\x00") {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// sqlState returns the SQLSTATE of the server error in err, or "".
func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// isDataError reports whether the database refused the data itself
// (classes 22 and 23): sending it again will not help.
func isDataError(err error) bool {
	code := sqlState(err)
	return strings.HasPrefix(code, "22") || strings.HasPrefix(code, "23")
}

// fixFor says what to do about an error the database returned while skim
// connected or set up its tables, or "" when waiting may cure it: the
// server is starting, shutting down, or out of connections.
func fixFor(err error) string {
	code := sqlState(err)
	switch {
	case code == "":
		return ""
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "53"), strings.HasPrefix(code, "57"),
		strings.HasPrefix(code, "58"), strings.HasPrefix(code, "40"), strings.HasPrefix(code, "55"):
		return ""
	case strings.HasPrefix(code, "28"):
		return "check the user and password in the URL (or PGPASSWORD) and the server's pg_hba.conf"
	case code == "3D000":
		return "create the database, or point the ledger at one that exists"
	case code == "42501":
		return "grant the user CREATE on the database's schema, or create skim's tables once as a user who may"
	default:
		return "check the ledger database and its URL"
	}
}
