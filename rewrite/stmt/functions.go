package stmt

import "strings"

// aggregates lists aggregate functions of Trino and BigQuery. A block that
// calls one folds rows together, so sampling its input changes its answer.
var aggregates = map[string]bool{
	"count": true, "sum": true, "avg": true, "min": true, "max": true,
	"array_agg": true, "string_agg": true, "listagg": true, "any_value": true,
	"arbitrary": true, "approx_distinct": true, "approx_percentile": true,
	"approx_set": true, "approx_most_frequent": true, "approx_count_distinct": true,
	"approx_quantiles": true, "approx_top_count": true, "approx_top_sum": true,
	"count_if": true, "countif": true, "bool_and": true, "bool_or": true,
	"every": true, "logical_and": true, "logical_or": true,
	"bit_and": true, "bit_or": true, "bit_xor": true, "bitwise_and_agg": true,
	"bitwise_or_agg": true, "bitwise_xor_agg": true, "checksum": true,
	"corr": true, "covar_pop": true, "covar_samp": true,
	"stddev": true, "stddev_pop": true, "stddev_samp": true,
	"variance": true, "var_pop": true, "var_samp": true,
	"geometric_mean": true, "histogram": true, "kurtosis": true, "skewness": true,
	"map_agg": true, "map_union": true, "multimap_agg": true, "max_by": true,
	"min_by": true, "merge": true, "numeric_histogram": true, "set_agg": true,
	"set_union": true, "tdigest_agg": true, "qdigest_agg": true,
	"regr_intercept": true, "regr_slope": true, "reduce_agg": true,
	"entropy": true, "grouping": true, "json_agg": true, "jsonb_agg": true,
	"hll_count.init": true, "hll_count.merge": true,
	"hll_count.merge_partial": true, "st_union_agg": true, "st_extent": true,
	"st_centroid_agg": true, "percentile_cont": true, "percentile_disc": true,
	"mode": true, "string_agg_distinct": true, "xmlagg": true,
}

// IsAggregate reports whether name (optionally schema-qualified) is an
// aggregate function in either dialect.
func IsAggregate(name string) bool {
	return aggregates[strings.ToLower(name)]
}

// IsRandom reports whether name is a function returning a random number, so
// that ordering by it picks arbitrary rows.
func IsRandom(name string) bool {
	switch strings.ToLower(name) {
	case "rand", "random":
		return true
	}
	return false
}
