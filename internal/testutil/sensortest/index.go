package sensortest

import (
	"fmt"
	"strings"

	"github.com/flowsift/flowsift/internal/record"
	"github.com/flowsift/flowsift/internal/testutil"
)

// Index holds the records of a run for joining with a peer's rows: flow
// records by flow key (in order; the interim records of a flow once) and
// the transactions of one dataset by flow.id.
type Index struct {
	flows map[testutil.FlowKey][]map[string]any
	ports map[string][]map[string]any // flows by transport and ports, for mangled addresses
	Txs   map[any][]map[string]any
}

// NewIndex indexes res, keeping the transactions of dataset ds.
func NewIndex(res Result, ds record.Dataset) *Index {
	x := &Index{flows: map[testutil.FlowKey][]map[string]any{}, ports: map[string][]map[string]any{}, Txs: map[any][]map[string]any{}}
	seen := map[any]bool{}
	for _, m := range res.Records {
		id := Get(m, "flow.id")
		if Get(m, "event.dataset") != string(record.DatasetFlow) {
			if Get(m, "event.dataset") == string(ds) {
				x.Txs[id] = append(x.Txs[id], m)
			}
			continue
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		l4 := strings.ToUpper(fmt.Sprint(Get(m, "network.transport")))
		k := testutil.TupleKey(l4, fmt.Sprint(Get(m, "source.ip")), Get(m, "source.port"),
			fmt.Sprint(Get(m, "destination.ip")), Get(m, "destination.port"))
		x.flows[k] = append(x.flows[k], m)
		x.ports[portsKey(k)] = append(x.ports[portsKey(k)], m)
	}
	return x
}

func portsKey(k testutil.FlowKey) string {
	a, b := k.A.Port, k.B.Port
	return fmt.Sprintf("%s %d %d", k.L4, min(a, b), max(a, b))
}

// Take returns the next flow record with key k (unordered: a peer's
// source may be the first sender), or nil. A key with an invalid address
// (ndpiReader prints some IPv6 addresses mangled, "2600:1901::7a0b::") is
// matched on transport and ports.
func (x *Index) Take(k testutil.FlowKey) map[string]any {
	list, pk := x.flows[k], ""
	if !k.A.Addr.IsValid() || !k.B.Addr.IsValid() {
		pk = portsKey(k)
		list = x.ports[pk]
	}
	if len(list) == 0 {
		return nil
	}
	if pk != "" {
		x.ports[pk] = list[1:]
	} else {
		x.flows[k] = list[1:]
	}
	return list[0]
}

// First returns the first transaction of a flow record, or nil.
func (x *Index) First(flow map[string]any) map[string]any {
	if flow == nil {
		return nil
	}
	if txs := x.Txs[Get(flow, "flow.id")]; len(txs) > 0 {
		return txs[0]
	}
	return nil
}
