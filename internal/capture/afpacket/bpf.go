package afpacket

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/bpf"

	"github.com/flowsift/flowsift/internal/decode"
)

// ErrNoCompiler means a filter in tcpdump syntax was given but tcpdump,
// which compiles it, is not installed.
var ErrNoCompiler = errors.New("tcpdump is not installed")

// maxInstructions is the kernel's limit on a classic BPF program (BPF_MAXINSNS).
const maxInstructions = 4096

// ParseRaw parses a compiled filter as `tcpdump -ddd` prints it: the number
// of instructions, then one instruction per line as four decimal numbers
// "code jt jf k". Instructions may also be separated by commas, as in
// iptables' bpf match ("4,48 0 0 0,…"), and the count may be left out.
func ParseRaw(text string) ([]bpf.RawInstruction, error) {
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ';' })
	var lines []string
	for _, f := range fields {
		if f = strings.TrimSpace(f); f != "" {
			lines = append(lines, f)
		}
	}
	if len(lines) == 0 {
		return nil, errors.New("bpf: empty program (expected the output of tcpdump -ddd)")
	}
	want := -1
	if n := strings.Fields(lines[0]); len(n) == 1 {
		c, err := strconv.Atoi(n[0])
		if err != nil {
			return nil, fmt.Errorf("bpf: line 1: %q is not an instruction count (expected the output of tcpdump -ddd)", lines[0])
		}
		want = c
		lines = lines[1:]
	}
	if len(lines) == 0 {
		return nil, errors.New("bpf: no instructions after the count")
	}
	if len(lines) > maxInstructions {
		return nil, fmt.Errorf("bpf: %d instructions, more than the kernel's limit of %d", len(lines), maxInstructions)
	}
	if want >= 0 && want != len(lines) {
		return nil, fmt.Errorf("bpf: the count says %d instructions but %d follow (truncated copy?)", want, len(lines))
	}
	prog := make([]bpf.RawInstruction, len(lines))
	for i, l := range lines {
		n := strings.Fields(l)
		if len(n) != 4 {
			return nil, fmt.Errorf("bpf: instruction %d: %q: want four numbers \"code jt jf k\" (tcpdump -ddd output)", i+1, l)
		}
		var v [4]uint64
		for j, bits := range [4]int{16, 8, 8, 32} {
			x, err := strconv.ParseUint(n[j], 10, bits)
			if err != nil {
				return nil, fmt.Errorf("bpf: instruction %d: %q: field %d is not a %d-bit decimal number", i+1, l, j+1, bits)
			}
			v[j] = x
		}
		prog[i] = bpf.RawInstruction{Op: uint16(v[0]), Jt: uint8(v[1]), Jf: uint8(v[2]), K: uint32(v[3])}
	}
	if err := checkJumps(prog); err != nil {
		return nil, err
	}
	return prog, nil
}

// checkJumps rejects programs the kernel would refuse with a bare EINVAL,
// so that the user learns which instruction is wrong.
func checkJumps(prog []bpf.RawInstruction) error {
	const classJmp, classRet, opJA = 0x05, 0x06, 0x00
	for i, ins := range prog {
		if ins.Op&0x07 != classJmp {
			continue
		}
		far := max(int(ins.Jt), int(ins.Jf))
		if ins.Op&0xf0 == opJA {
			far = int(ins.K)
		}
		if i+1+far >= len(prog) {
			return fmt.Errorf("bpf: instruction %d jumps past the end of the program", i+1)
		}
	}
	if prog[len(prog)-1].Op&0x07 != classRet {
		return errors.New("bpf: the last instruction must be a return")
	}
	return nil
}

// FormatRaw prints a program as `tcpdump -ddd` does, for ParseRaw.
func FormatRaw(prog []bpf.RawInstruction) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d\n", len(prog))
	for _, ins := range prog {
		fmt.Fprintf(&b, "%d %d %d %d\n", ins.Op, ins.Jt, ins.Jf, ins.K)
	}
	return b.String()
}

// tcpdumpLinkName is the name tcpdump -y gives a link type.
func tcpdumpLinkName(link decode.LinkType) string {
	if link == decode.LinkRaw {
		return "RAW"
	}
	return "EN10MB"
}

// Compile compiles a filter in tcpdump syntax for frames of the given link
// type by running `tcpdump -ddd`. It returns ErrNoCompiler (wrapped) when
// tcpdump is not installed.
func Compile(ctx context.Context, expr string, link decode.LinkType) ([]bpf.RawInstruction, error) {
	path, err := exec.LookPath("tcpdump")
	if err != nil {
		return nil, fmt.Errorf("bpf: compiling %q: %w: install it (e.g. apt-get install tcpdump), or compile the filter where tcpdump is with "+
			"`tcpdump -ddd -y %s '%s'` and give flowsift that output as the raw filter", expr, ErrNoCompiler, tcpdumpLinkName(link), expr)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// "--" keeps an expression starting with "-" from being read as an option.
	cmd := exec.CommandContext(ctx, path, "-ddd", "-y", tcpdumpLinkName(link), "--", expr) //nolint:gosec // the user's filter is tcpdump's argument, not a shell line
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		msg = strings.TrimPrefix(msg, "tcpdump: ")
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("bpf: invalid filter %q: %s (syntax: man 7 pcap-filter)", expr, msg)
	}
	prog, err := ParseRaw(stdout.String())
	if err != nil {
		return nil, fmt.Errorf("bpf: reading tcpdump's output for %q: %w", expr, err)
	}
	return prog, nil
}

// skipOutgoing prefixes prog with a check that rejects packets the host
// sends. On loopback every packet is seen twice, going out and coming in;
// libpcap drops the outgoing copy too. prog nil accepts everything else.
func skipOutgoing(prog []bpf.RawInstruction) ([]bpf.RawInstruction, error) {
	const packetOutgoing = 4 // PACKET_OUTGOING in linux/if_packet.h
	head := []bpf.Instruction{
		bpf.LoadExtension{Num: bpf.ExtType},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: packetOutgoing, SkipTrue: 0, SkipFalse: 1},
		bpf.RetConstant{Val: 0},
		bpf.LoadConstant{Dst: bpf.RegA, Val: 0}, // programs start with A = 0
	}
	if prog == nil {
		head = append(head, bpf.RetConstant{Val: 1 << 18}) // tcpdump's "accept the whole packet"
	}
	out, err := bpf.Assemble(head)
	if err != nil {
		return nil, fmt.Errorf("bpf: %w", err)
	}
	if len(out)+len(prog) > maxInstructions {
		return nil, fmt.Errorf("bpf: the filter has %d instructions; at most %d fit on a loopback interface", len(prog), maxInstructions-len(out))
	}
	return append(out, prog...), nil
}
