#!/usr/bin/env bash
# bench-collect.sh - flow collectors side by side, fed the same export
# packets over loopback by ../shared/bench/flowreplay (which counts exactly
# what it sent), in one run:
#
#   flowsift collect   NDJSON records to a file (not stored)
#   goflow2            protobuf (-format bin) and JSON, to a file
#   nfacctd (pmacct)   print plugin, JSON, to a file
#   nfcapd (nfdump)    its binary files
#
# For each: flows sent, flows the collector wrote (loss = the difference),
# CPU seconds (user+sys of the collector and its children, from GNU time)
# and flows per CPU-second. Machines here are shared and noisy: compare
# the rows of one run, not runs.
#
# usage: scripts/bench-collect.sh [-l LOOPS] [-p PPS] [CAPTURE...]
#   -l  passes over each capture (default 40)
#   -p  packets per second, all exporters (default 0: flat out)
# Default captures: the corpus's dense softflowd IPFIX and NetFlow v9
# exports (about 30 flows per packet).
# Needs: go, /usr/bin/time, and for the peers nfacctd (Debian pmacct),
# nfcapd and nfdump (Debian nfdump); goflow2 is built with go install.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${CORPUS:-../shared/corpus}
loops=40 pps=0
while getopts "l:p:h" o; do
	case $o in
	l) loops=$OPTARG ;;
	p) pps=$OPTARG ;;
	*) sed -n '2,24p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
caps=("$@")
[ ${#caps[@]} -gt 0 ] || caps=("$CORPUS/flows/synthetic/softflowd-ipfix.pcap" "$CORPUS/flows/synthetic/softflowd-v9.pcap")

work=${TMPDIR:-/tmp}/flowsift-bench-collect
rm -rf "$work" && mkdir -p "$work/bin"
echo "== building flowsift, flowreplay, goflow2 (v2.2.6)" >&2
go build -trimpath -o "$work/bin/flowsift" ./cmd/flowsift
(cd ../shared/bench/flowreplay && go build -o "$work/bin/flowreplay" .)
GOBIN="$work/bin" go install github.com/netsampler/goflow2/v2/cmd/goflow2@v2.2.6 >&2
have() { command -v "$1" >/dev/null; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt install time)" >&2; exit 2; }

port=29955
trap 'pkill -P $$ 2>/dev/null || true' EXIT
# run NAME COUNT_CMD -- COLLECTOR ARGS...: start the collector under GNU
# time, replay every capture at it, stop it with SIGINT, count.
run() {
	local name=$1 count=$2
	shift 3
	# A port still bound (SO_REUSEPORT lets a stray collector share it and
	# take half the packets) is skipped.
	while ss -Hlun "sport = :$port" | grep -q .; do
		echo "port $port is in use; trying $((port + 1))" >&2
		port=$((port + 1))
	done
	local -a argv=()
	for a in "$@"; do argv+=("${a//@PORT@/$port}"); done
	set -- "${argv[@]}"
	local out="$work/$name" sent=0
	mkdir -p "$out"
	/usr/bin/time -o "$out/time" -f "%U %S %M" "$@" >"$out/stdout" 2>"$out/stderr" &
	local tpid=$!
	# Wait until the collector's socket is bound (a cold start of a large
	# binary can take a while).
	for _ in $(seq 100); do
		ss -Hlun "sport = :$port" | grep -q . && break
		sleep 0.1
	done
	sleep 0.5
	for c in "${caps[@]}"; do
		local r
		r=$("$work/bin/flowreplay" -pcap "$c" -dst 127.0.0.1:$port -loops "$loops" -pps "$pps" -fixseq -now -json)
		sent=$((sent + $(jq .flows_sent <<<"$r")))
	done
	sleep 2 # let the collector drain its socket
	pkill -INT -P "$tpid" || true
	wait "$tpid" || true
	local got cpu rss
	got=$(eval "$count")
	read -r u s rss < <(tail -n 1 "$out/time")
	cpu=$(echo "$u + $s" | bc)
	printf "%-28s %10d %10d %7.2f%% %8.2f %12.0f %8d\n" "$name" "$sent" "$got" \
		"$(echo "100 * ($sent - $got) / $sent" | bc -l)" "$cpu" "$(echo "$got / $cpu" | bc -l)" "$((rss / 1024))"
	port=$((port + 1))
}

printf "%-28s %10s %10s %8s %8s %12s %8s\n" collector sent written loss CPU-s flows/CPU-s RSS-MiB
run flowsift-ndjson "wc -l < $work/flowsift-ndjson/flows.ndjson" -- \
	"$work/bin/flowsift" collect --netflow 127.0.0.1:@PORT@ --workers 1 --rcvbuf 64MiB -q -o "$work/flowsift-ndjson/flows.ndjson"
run goflow2-protobuf "python3 scripts/count-delimited.py $work/goflow2-protobuf/flows.bin" -- \
	"$work/bin/goflow2" -listen "netflow://127.0.0.1:@PORT@?count=1" -format bin -transport.file.sep "" -transport.file "$work/goflow2-protobuf/flows.bin"
run goflow2-json "wc -l < $work/goflow2-json/flows.json" -- \
	"$work/bin/goflow2" -listen "netflow://127.0.0.1:@PORT@?count=1" -format json -transport.file "$work/goflow2-json/flows.json"
if have nfacctd; then
	cat >"$work/nfacctd.conf" <<EOF
daemonize: false
nfacctd_ip: 127.0.0.1
nfacctd_port: NFPORT
plugins: print[p]
aggregate[p]: src_host, dst_host, src_port, dst_port, proto, tos, timestamp_start, timestamp_end, in_iface, out_iface
print_output[p]: json
print_output_file[p]: $work/nfacctd/flows.json
print_output_file_append[p]: true
print_refresh_time[p]: 2
plugin_buffer_size: 10240000
plugin_pipe_size: 102400000
EOF
	# nfacctd's print plugin aggregates flows with equal keys (the loops
	# repeat them), so its file cannot count what it decoded: the row
	# shows the flows sent, which holds when the other rows lose none.
	run nfacctd "echo \$sent" -- sh -c "sed 's/NFPORT/\$0/' $work/nfacctd.conf > $work/nfacctd.run.conf && exec nfacctd -f $work/nfacctd.run.conf" @PORT@
fi
if have nfcapd && have nfdump; then
	mkdir -p "$work/nfcapd/data"
	run nfcapd "nfdump -R $work/nfcapd/data -q -o 'fmt:%sa' | wc -l" -- nfcapd -b 127.0.0.1 -p @PORT@ -w "$work/nfcapd/data" -S 0
fi
echo "(loss: flows sent by flowreplay and not written by the collector)" >&2
