#!/usr/bin/env bash
# bench.sh - measure flowsift read against the peers a user would pick
# instead, on the same benchmark capture in the same run.
#
# usage: scripts/bench.sh [-c COPIES] [-F] [-p PCAP] [-r RUNS] [-h]
#
#   -c COPIES  size of the benchmark capture built by
#              ../shared/bench/make-bench-pcap.sh (default $BENCH_COPIES or 8:
#              ~1 M packets, 340 MB, the quick variant)
#   -F         the full capture (80 copies: ~9.6 M packets, 3.5 GB); same as
#              FULL=1 in the environment
#   -p PCAP    measure this capture instead (nothing is built)
#   -r RUNS    runs of each tool, interleaved; the fastest (wall) run of each
#              is reported (default $BENCH_RUNS or 1)
#   -h         this help
#
# What it does:
#   1. builds the capture into ${TMPDIR:-/tmp} if it is missing
#      (flowsift-bench-c<COPIES>.pcap, or flowsift-bench.pcap for -F: never
#      inside the repository) and reads it once so every tool finds it in the
#      page cache;
#   2. counts its packets once with capinfos -c;
#   3. builds flowsift and runs, under /usr/bin/time -f '%U %S %e %M':
#        flowsift read -w 1 -o /dev/null PCAP    (DPI on: flow and transaction
#                                                 records, NDJSON encoded, discarded)
#        flowsift read -w 1 --no-dpi -o /dev/null PCAP (flow records only: the
#                                                 flow engine's goals)
#        flowsift read -w 2 --no-dpi -o /dev/null PCAP (two workers, flow-hash sharding)
#        softflowd -r PCAP -n 127.0.0.1:9995 -d -c none -v 9 -m 1048576
#            (flow export only: NetFlow v9 so IPv6 is tracked, to a local UDP
#            port nobody listens on; -c none: no control socket, without which
#            softflowd 1.1.0 waits in accept() and never reads the file; -m as
#            flowsift's --max-flows, so neither evicts flows early)
#        ndpiReader -i PCAP     (its summary only: per-flow lines need -v)
#        tshark -n -r PCAP -T fields -e dns.qry.name -e http.host … -e ssh.protocol
#            (the fields a DPI user would extract with Wireshark's dissectors)
#      flowsift runs without -q because its summary gives "peak N live"
#      flows; the summary costs nothing measurable;
#   4. prints a markdown table: packets, wall and user+sys seconds, packets
#      per CPU-second (packets / (user+sys)), peak RSS, records or flows,
#      live flows and bytes of peak RSS per live flow; then the ratios
#      against the goals. Flow records only (--no-dpi): >= 2x softflowd's
#      packets per CPU-second, <= 1 KiB of peak RSS per live flow, two
#      workers >= 1.8x one (wall). With DPI: >= 2.5x ndpiReader's and >= 20x
#      tshark's packets per CPU-second, <= 800 bytes of NDJSON per flow;
#   5. runs flowsift once more, untimed, writing the NDJSON to a file for
#      the size figures (bytes per flow, capture/NDJSON, records by dataset):
#      the timed runs discard their records as the peers write none.
#
# Peers' live flows: softflowd -r expires flows only when -m is exceeded
# (the table says whether it was), and ndpiReader keeps every flow until
# the end, so for both the flow count is the live count at the end.
#
# Exit status: 0 when every tool ran (goals missed or not), 1 when a tool
# failed, 2 on bad usage. Peers that are not installed are skipped with a
# warning (Debian: apt-get install softflowd libndpi-bin wireshark-common time).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shared=${SHARED_DIR:-$root/../shared}
copies=${BENCH_COPIES:-8}
full=${FULL:-0}
pcap=
runs=${BENCH_RUNS:-1}

while getopts "c:Fp:r:h" opt; do
	case $opt in
	c) copies=$OPTARG ;;
	F) full=1 ;;
	p) pcap=$OPTARG ;;
	r) runs=$OPTARG ;;
	h)
		sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "usage: $0 [-c COPIES] [-F] [-p PCAP] [-r RUNS] [-h]" >&2
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
[[ $# -eq 0 ]] || {
	echo "$0: unexpected argument '$1' (-h for help)" >&2
	exit 2
}
[[ $copies =~ ^[1-9][0-9]*$ && $runs =~ ^[1-9][0-9]*$ ]] || {
	echo "$0: -c and -r take a positive number" >&2
	exit 2
}
if [[ $full == 1 ]]; then
	copies=80
fi
tmp=${TMPDIR:-/tmp}
if [[ -z $pcap ]]; then
	if [[ $copies == 80 ]]; then
		pcap=$tmp/flowsift-bench.pcap
	else
		pcap=$tmp/flowsift-bench-c$copies.pcap
	fi
fi

for tool in /usr/bin/time capinfos go; do
	command -v "$tool" >/dev/null || {
		echo "$0: '$tool' is missing (apt-get install time wireshark-common; Go from go.dev)" >&2
		exit 1
	}
done

if [[ ! -s $pcap ]]; then
	mk=$shared/bench/make-bench-pcap.sh
	[[ -x $mk && -d $shared/corpus/pcap ]] || {
		echo "$0: $pcap is missing and $mk or $shared/corpus/pcap is not there to build it (set SHARED_DIR)" >&2
		exit 1
	}
	echo "== building $pcap ($copies copies)" >&2
	"$mk" -c "$copies" "$shared/corpus/pcap" "$pcap" >&2
fi

work=$(mktemp -d "$tmp/flowsift-bench-run.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== building flowsift" >&2
(cd "$root" && go build -o "$work/flowsift" ./cmd/flowsift)

echo "== counting packets and warming the page cache" >&2
packets=$(capinfos -c -M "$pcap" | awk -F: '/Number of packets/ {gsub(/[ \t]/, "", $2); print $2}')
[[ $packets =~ ^[0-9]+$ && $packets -gt 0 ]] || {
	echo "$0: capinfos could not count the packets of $pcap" >&2
	exit 1
}
cat "$pcap" >/dev/null

# Each tool: name, then its command. A peer that is not installed is left out.
names=() cmds=()
add() {
	local name=$1
	shift
	if ! command -v "$1" >/dev/null; then
		echo "$0: warning: $1 is not installed, leaving out $name" >&2
		return
	fi
	names+=("$name")
	cmds+=("$(printf '%q ' "$@")")
}
add "flowsift" "$work/flowsift" read -w 1 -o /dev/null "$pcap"
add "flowsift --no-dpi -w 1" "$work/flowsift" read -w 1 --no-dpi -o /dev/null "$pcap"
add "flowsift --no-dpi -w 2" "$work/flowsift" read -w 2 --no-dpi -o /dev/null "$pcap"
add "softflowd" softflowd -r "$pcap" -n 127.0.0.1:9995 -d -c none -p "$work/softflowd.pid" -v 9 -m 1048576
add "ndpiReader" ndpiReader -i "$pcap"
add "tshark -T fields" tshark -n -r "$pcap" -T fields -e dns.qry.name -e http.host -e http.request.uri \
	-e http.user_agent -e tls.handshake.extensions_server_name -e ssh.protocol

load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?"; }
load_before=$(load)
failed=0
declare -A best=()
for ((run = 1; run <= runs; run++)); do
	for i in "${!names[@]}"; do
		name=${names[$i]}
		base=$work/t$i.r$run
		echo "== run $run/$runs: $name" >&2
		rc=0
		eval "/usr/bin/time -f '%U %S %e %M' -o '$base.time' ${cmds[$i]}" >"$base.out" 2>"$base.err" || rc=$?
		if [[ $rc -ne 0 ]]; then
			echo "$0: $name failed (exit $rc):" >&2
			tail -n 20 "$base.err" >&2
			failed=1
			continue
		fi
		# GNU time appends its line after anything the tool wrote there.
		wall=$(tail -n 1 "$base.time" | cut -d' ' -f3)
		prev=${best[$i]:-}
		if [[ -z $prev ]] || awk -v a="$wall" -v b="$(tail -n 1 "$prev.time" | cut -d' ' -f3)" 'BEGIN { exit !(a < b) }'; then
			best[$i]=$base
		fi
	done
done
load_after=$(load)

# Per tool: records/flows and live flows from its own output.
counts() { # name base -> "records live note"
	local name=$1 base=$2 recs live note=
	case $name in
	flowsift*)
		recs=$(sed -n 's/.*records \([0-9]*\).*/\1/p' "$base.err" | head -n 1)
		live=$(sed -n 's/.*(peak \([0-9]*\) live).*/\1/p' "$base.err" | head -n 1)
		;;
	softflowd)
		recs=$(sed -n 's/^Flows exported: \([0-9]*\).*/\1/p' "$base.out" | head -n 1)
		live=$recs
		local forced
		forced=$(sed -n 's/^Flows expired: [0-9]* (\([0-9]*\) forced).*/\1/p' "$base.out" | head -n 1)
		[[ ${forced:-0} == 0 ]] || { live=; note="evicted $forced"; }
		;;
	ndpiReader)
		recs=$(sed -n 's/^[[:space:]]*Unique flows:[[:space:]]*\([0-9]*\).*/\1/p' "$base.out" | head -n 1)
		live=$recs
		;;
	tshark*)
		recs=$(wc -l <"$base.out")
		;;
	esac
	echo "${recs:--} ${live:--} ${note:--}"
}

echo
echo "### flowsift benchmark: $(basename "$pcap"), $packets packets"
echo
echo "capture \`$pcap\` ($(du -h "$pcap" | cut -f1)); $(nproc) CPUs; load average $load_before before, $load_after after;" \
	"$runs run(s) per tool, fastest shown; flowsift $(cd "$root" && git describe --always --dirty 2>/dev/null || echo '?')"
echo
echo "| tool | packets | wall s | user+sys s | packets/CPU-s | packets/wall-s | peak RSS MiB | records/flows | live flows | RSS B/live flow |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
declare -A cpuRate=() wallRate=() perFlow=()
for i in "${!names[@]}"; do
	name=${names[$i]}
	base=${best[$i]:-}
	if [[ -z $base ]]; then
		echo "| $name | failed | | | | | | | | |"
		continue
	fi
	read -r user sys wall rss < <(tail -n 1 "$base.time")
	read -r recs live note < <(counts "$name" "$base")
	row=$(awk -v p="$packets" -v u="$user" -v s="$sys" -v w="$wall" -v m="$rss" -v r="$recs" -v l="$live" -v n="$note" 'BEGIN {
		cpu = u + s; if (cpu <= 0) cpu = 0.005; if (w <= 0) w = 0.005
		pf = (l ~ /^[0-9]+$/ && l > 0) ? sprintf("%.0f", m * 1024 / l) : "-"
		if (n != "-") r = r " (" n ")"
		printf "%.2f|%.2f|%.0f|%.0f|%.1f|%s|%s|%s", w, cpu, p / cpu, p / w, m / 1024, r, l, pf
	}')
	IFS='|' read -r w cpu pcpu pwall mib r l pf <<<"$row"
	cpuRate[$name]=$pcpu wallRate[$name]=$pwall perFlow[$name]=$pf
	echo "| $name | $packets | $w | $cpu | $pcpu | $pwall | $mib | $r | $l | $pf |"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "-" }'; }
verdict() { awk -v v="$1" -v g="$2" -v op="$3" 'BEGIN { if (v !~ /^[0-9.]+$/) print "not measured"; else if ((op == ">=" && v + 0 >= g + 0) || (op == "<=" && v + 0 <= g + 0)) print "met"; else print "missed" }'; }
r1=$(ratio "${cpuRate[flowsift --no-dpi -w 1]:-}" "${cpuRate[softflowd]:-}")
r2=$(ratio "${wallRate[flowsift --no-dpi -w 2]:-}" "${wallRate[flowsift --no-dpi -w 1]:-}")
m1=${perFlow[flowsift --no-dpi -w 1]:--}
m2=${perFlow[flowsift --no-dpi -w 2]:--}
echo
echo "| goal | measured | target | |"
echo "|---|---:|---:|---|"
echo "| packets per CPU-second, flowsift --no-dpi -w 1 / softflowd | ${r1}× | ≥ 2× | $(verdict "$r1" 2 ">=") |"
echo "| peak RSS per live flow, flowsift --no-dpi -w 1 | $m1 B | ≤ 1024 B | $(verdict "$m1" 1024 "<=") |"
echo "| peak RSS per live flow, flowsift --no-dpi -w 2 | $m2 B | ≤ 1024 B | $(verdict "$m2" 1024 "<=") |"
echo "| wall throughput, flowsift --no-dpi -w 2 / -w 1 | ${r2}× | ≥ 1.8× | $(verdict "$r2" 1.8 ">=") |"
r3=$(ratio "${cpuRate[flowsift]:-}" "${cpuRate[ndpiReader]:-}")
r4=$(ratio "${cpuRate[flowsift]:-}" "${cpuRate[tshark -T fields]:-}")
echo "| packets per CPU-second with DPI, flowsift / ndpiReader | ${r3}× | ≥ 2.5× | $(verdict "$r3" 2.5 ">=") |"
echo "| packets per CPU-second with DPI, flowsift / tshark -T fields | ${r4}× | ≥ 20× | $(verdict "$r4" 20 ">=") |"
echo "== untimed: flowsift read -o records.ndjson, for the size figures" >&2
"$work/flowsift" read -w 1 -o "$work/records.ndjson" "$pcap" 2>"$work/records.err" || true
if [[ -s $work/records.ndjson ]]; then
	flows=$(sed -n 's/.*flows \([0-9]*\) (peak.*/\1/p' "$work/records.err" | head -n 1)
	nd=$(stat -c %s "$work/records.ndjson")
	cap=$(stat -c %s "$pcap")
	bpf=$(awk -v a="$nd" -v b="$flows" 'BEGIN { if (b > 0) printf "%.0f", a / b; else print "-" }')
	echo "| NDJSON bytes per flow (all records of a flow), flowsift | $bpf B | ≤ 800 B | $(verdict "$bpf" 800 "<=") |"
	echo
	echo "capture bytes / NDJSON bytes: $(ratio "$cap" "$nd")× ($cap / $nd bytes); flowsift records by dataset:"
	echo
	grep -o '"dataset":"[a-z.]*"' "$work/records.ndjson" | sort | uniq -c | sort -rn | awk '{ printf "%s %s; ", $2, $1 } END { print "" }'
	grep -E '^  dpi:' "$work/records.err" || true
fi
echo
echo "ndpiReader peak RSS per flow: ${perFlow[ndpiReader]:--} B; softflowd: ${perFlow[softflowd]:--} B."
exit "$failed"
