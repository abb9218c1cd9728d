package trinoserver

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/skimdata/skim/test/demodata"
)

// functionsLock is the advisory lock key CreateFunctions holds while it
// replaces the functions, so that two loads at once do not collide.
const functionsLock = 0x5472_696e_6f46_6e73 // "TrinoFns"

// functionsSQL defines, in schema public, the Trino functions skim's
// sampling-key predicate calls, with Trino's argument and result types:
//
//	abs(from_big_endian_64(xxhash64(to_utf8('42:' || CAST(user_id AS varchar)))) % 10000) < 100
//
// xxhash64 is a stand-in: PostgreSQL's own 64-bit text hash
// (hashtextextended) of the bytes in hex, in big-endian order, not
// xxHash64's values. What the tests rely on is what both have: a
// deterministic, evenly spread 8-byte hash of the bytes. The functions are
// one-expression SQL functions, which PostgreSQL inlines into the
// statement, so a million-row scan does not pay for a function call per
// row; to_utf8 is STABLE rather than IMMUTABLE only because convert_to is,
// and PostgreSQL does not inline a function declared less volatile than
// its body. Like Trino's, from_big_endian_64 reads 8 bytes; unlike
// Trino's, it does not reject other lengths but reads the first 8.
var functionsSQL = []string{
	`CREATE OR REPLACE FUNCTION public.to_utf8(text) RETURNS bytea
		LANGUAGE sql STABLE PARALLEL SAFE
		AS $$SELECT convert_to($1, 'UTF8')$$`,
	`CREATE OR REPLACE FUNCTION public.xxhash64(bytea) RETURNS bytea
		LANGUAGE sql IMMUTABLE PARALLEL SAFE
		AS $$SELECT int8send(hashtextextended(encode($1, 'hex'), 0))$$`,
	`CREATE OR REPLACE FUNCTION public.from_big_endian_64(bytea) RETURNS bigint
		LANGUAGE sql IMMUTABLE PARALLEL SAFE
		AS $$SELECT ('x' || encode(substring($1 FROM 1 FOR 8), 'hex'))::bit(64)::bigint$$`,
}

// CreateFunctions (re)creates, in schema public of pool's database, the
// Trino functions PostgreSQL lacks that skim's rewrites call: to_utf8,
// xxhash64 and from_big_endian_64 (see functionsSQL). Statements find them
// through the search_path, which always ends in public. LoadDemo calls it;
// a server over a database loaded otherwise needs it called once.
func CreateFunctions(ctx context.Context, pool *pgxpool.Pool) error {
	if err := demodata.ExecLocked(ctx, pool, functionsLock, functionsSQL...); err != nil {
		return fmt.Errorf("create the Trino functions: %w", err)
	}
	return nil
}
