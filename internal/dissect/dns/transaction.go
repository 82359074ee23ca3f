package dns

import "strings"

// Transaction is a query and its response within one flow, as one row of
// Zeek's dns.log: either side may be missing (an unanswered query, a
// response whose query was not seen).
type Transaction struct {
	Query    *Message
	Response *Message
}

// Transactions pairs the messages of one flow, in arrival order, by
// transaction id and question (case-insensitive name, type): each
// response goes to the oldest unanswered query with the same key, or
// becomes a transaction of its own. A response without a question (an
// mDNS announcement) always stands alone, as in Zeek. The result is in
// order of each transaction's first message and points into msgs.
func Transactions(msgs []Message) []Transaction {
	out := make([]Transaction, 0, len(msgs))
	open := map[txKey][]int{} // key → indexes in out of unanswered queries
	for i := range msgs {
		m := &msgs[i]
		k := txKey{id: m.ID, name: strings.ToLower(m.QName), qtype: m.QType}
		if !m.Flags.QR {
			if m.HasQuestion {
				open[k] = append(open[k], len(out))
			}
			out = append(out, Transaction{Query: m})
			continue
		}
		if q := open[k]; m.HasQuestion && len(q) > 0 {
			out[q[0]].Response = m
			open[k] = q[1:]
			continue
		}
		out = append(out, Transaction{Response: m})
	}
	return out
}

type txKey struct {
	id    uint16
	name  string
	qtype uint16
}
