package bqserver

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/skimdata/skim/test/demodata"
)

// functionsLock is the advisory lock key CreateFunctions holds while it
// replaces the functions, so that two loads at once do not collide.
const functionsLock = 0x4251_4675_6e63_7473 // "BQFuncts"

// functionsSQL defines, in schema public, the GoogleSQL functions skim's
// sampling-key predicate calls that PostgreSQL lacks, with GoogleSQL's
// argument and result types:
//
//	ABS(MOD(FARM_FINGERPRINT(CONCAT('42:', CAST(user_id AS STRING))), 10000)) < 100
//
// ABS, MOD and CONCAT are PostgreSQL's own, and CAST(x AS STRING) is
// translated to text. FARM_FINGERPRINT is a stand-in: PostgreSQL's own
// 64-bit text hash (hashtextextended), not FarmHash's values. What the
// tests rely on is what both have: a deterministic, evenly spread INT64 of
// the string. The function is one SQL expression, which PostgreSQL
// inlines into the statement, so a scan does not pay for a function call
// per row.
var functionsSQL = []string{
	`CREATE OR REPLACE FUNCTION public.farm_fingerprint(text) RETURNS bigint
		LANGUAGE sql IMMUTABLE PARALLEL SAFE
		AS $$SELECT hashtextextended($1, 0)$$`,
}

// CreateFunctions (re)creates, in schema public of pool's database, the
// GoogleSQL functions PostgreSQL lacks that skim's rewrites call:
// FARM_FINGERPRINT (see functionsSQL). Statements find them through the
// search_path, which always ends in public. LoadDemo calls it; a server
// over a database loaded otherwise needs it called once.
func CreateFunctions(ctx context.Context, pool *pgxpool.Pool) error {
	if err := demodata.ExecLocked(ctx, pool, functionsLock, functionsSQL...); err != nil {
		return fmt.Errorf("create the GoogleSQL functions: %w", err)
	}
	return nil
}
