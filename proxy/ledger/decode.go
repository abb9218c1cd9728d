package ledger

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/valyala/fastjson"
)

// decoder reads JSON-lines records. Reports read every record of a period,
// so decoding is most of their time; walking a parsed document field by
// field is several times faster than encoding/json's reflection.
type decoder struct {
	parser fastjson.Parser
}

// decode reads one record. Unknown fields are ignored, as a newer skim may
// write fields this one does not know.
func (d *decoder) decode(line []byte) (Record, error) {
	var r Record
	v, err := d.parser.ParseBytes(line)
	if err != nil {
		// encoding/json says what is wrong more briefly, without
		// repeating the rest of the line; bad lines are rare enough.
		var raw json.RawMessage
		if jerr := json.Unmarshal(line, &raw); jerr != nil {
			return r, jerr
		}
		return r, err
	}
	obj, err := v.Object()
	if err != nil {
		return r, fmt.Errorf("a record is a JSON object: %w", err)
	}
	obj.Visit(func(key []byte, v *fastjson.Value) {
		if err != nil {
			return
		}
		err = d.field(&r, string(key), v)
	})
	return r, err
}

// field sets the record field named key from v.
func (d *decoder) field(r *Record, key string, v *fastjson.Value) error {
	str := func(dst *string) error {
		if v.Type() == fastjson.TypeNull {
			return nil
		}
		b, err := v.StringBytes()
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		*dst = string(b)
		return nil
	}
	num := func(dst *int64) error {
		if v.Type() == fastjson.TypeNull {
			return nil
		}
		n, err := v.Int64()
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		*dst = n
		return nil
	}
	optNum := func(dst **int64) error {
		if v.Type() == fastjson.TypeNull {
			return nil
		}
		var n int64
		if err := num(&n); err != nil {
			return err
		}
		*dst = &n
		return nil
	}
	float := func(dst *float64) error {
		if v.Type() == fastjson.TypeNull {
			return nil
		}
		f, err := v.Float64()
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		*dst = f
		return nil
	}
	strs := func(dst *[]string) error {
		if v.Type() == fastjson.TypeNull {
			return nil
		}
		items, err := v.Array()
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		out := make([]string, len(items))
		for i, it := range items {
			b, err := it.StringBytes()
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			out[i] = string(b)
		}
		*dst = out
		return nil
	}
	switch key {
	case "id":
		return str(&r.ID)
	case "time":
		var s string
		if err := str(&s); err != nil || s == "" {
			return err
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("time: %w", err)
		}
		r.Time = t
	case "frontend":
		return str(&r.Frontend)
	case "upstream":
		return str(&r.Upstream)
	case "user":
		return str(&r.User)
	case "source":
		return str(&r.Source)
	case "client_tags":
		return strs(&r.ClientTags)
	case "labels":
		if v.Type() == fastjson.TypeNull {
			return nil
		}
		obj, err := v.Object()
		if err != nil {
			return fmt.Errorf("labels: %w", err)
		}
		r.Labels = make(map[string]string, obj.Len())
		obj.Visit(func(k []byte, lv *fastjson.Value) {
			if b, lerr := lv.StringBytes(); lerr == nil {
				r.Labels[string(k)] = string(b)
			} else if err == nil {
				err = fmt.Errorf("labels: %w", lerr)
			}
		})
		return err
	case "team":
		return str(&r.Team)
	case "query_id":
		return str(&r.QueryID)
	case "policy":
		return str(&r.Policy)
	case "mode":
		return str(&r.Mode)
	case "fingerprint":
		return str(&r.Fingerprint)
	case "sql":
		return str(&r.SQL)
	case "rewritten":
		return str(&r.Rewritten)
	case "tables":
		return strs(&r.Tables)
	case "filter_columns":
		return strs(&r.FilterColumns)
	case "rules":
		return strs(&r.Rules)
	case "decision":
		return str(&r.Decision)
	case "reason":
		return str(&r.Reason)
	case "method":
		return str(&r.Method)
	case "estimated_bytes_before":
		return num(&r.EstimatedBytesBefore)
	case "estimated_bytes_after":
		return num(&r.EstimatedBytesAfter)
	case "bytes_processed":
		return optNum(&r.BytesProcessed)
	case "bytes_billed":
		return optNum(&r.BytesBilled)
	case "bytes_saved":
		return num(&r.BytesSaved)
	case "price_per_tib":
		return float(&r.PricePerTiB)
	case "money_saved":
		return float(&r.MoneySaved)
	case "rows":
		return optNum(&r.Rows)
	case "latency_ms":
		return float(&r.LatencyMS)
	case "rewrite_ms":
		return float(&r.RewriteMS)
	case "error":
		return str(&r.Error)
	}
	return nil
}
