package afpacket

import "testing"

func FuzzParseRaw(f *testing.F) {
	f.Add("12\n40 0 0 12\n21 0 2 2048\n48 0 0 23\n21 6 7 6\n21 0 6 34525\n48 0 0 20\n21 3 0 6\n21 0 3 44\n48 0 0 54\n21 0 1 6\n6 0 0 262144\n6 0 0 0\n")
	f.Add("2,6 0 0 65535,6 0 0 0")
	f.Add("5 0 0 4294967295\n6 0 0 0")
	f.Add("1\n6 0 0 0")
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > 1<<16 {
			return
		}
		prog, err := ParseRaw(in)
		if err != nil {
			return
		}
		if len(prog) == 0 || len(prog) > maxInstructions {
			t.Fatalf("accepted a program of %d instructions", len(prog))
		}
		if err := checkJumps(prog); err != nil {
			t.Fatalf("accepted a program with a bad jump: %v", err)
		}
		again, err := ParseRaw(FormatRaw(prog))
		if err != nil || len(again) != len(prog) {
			t.Fatalf("FormatRaw output does not parse back: %v", err)
		}
		for i := range prog {
			if prog[i] != again[i] {
				t.Fatalf("instruction %d: %v, then %v", i, prog[i], again[i])
			}
		}
	})
}
