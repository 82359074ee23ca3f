package lines

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// feed runs every chunk through s and collects the lines and how many
// were too long.
func feed(s *Splitter, chunks ...string) (got []string, long int) {
	for _, c := range chunks {
		data := []byte(c)
		for len(data) > 0 {
			line, rest, tooLong := s.Next(data)
			data = rest
			if tooLong {
				long++
			}
			if line != nil {
				got = append(got, string(line))
			}
		}
	}
	return got, long
}

func TestNext(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
		want   []string
		long   int
	}{
		{"one segment", []string{"USER a\r\nPASS b\r\n"}, []string{"USER a", "PASS b"}, 0},
		{"split lines", []string{"US", "ER a\r", "\nQU", "IT\n"}, []string{"USER a", "QUIT"}, 0},
		{"empty line", []string{"\r\n\n"}, []string{"", ""}, 0},
		{"too long in one", []string{"0123456789ABCDEF\r\nok\r\n"}, []string{"ok"}, 1},
		{"too long across", []string{"0123456789", "ABCDEF", "GHIJ\r\nok\n"}, []string{"ok"}, 1},
		{"no line ending yet", []string{"partial"}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, long := feed(&Splitter{Max: 12}, tt.chunks...)
			if diff := cmp.Diff(tt.want, got); diff != "" || long != tt.long {
				t.Errorf("lines (-want +got):\n%s\ntoo long = %d, want %d", diff, long, tt.long)
			}
		})
	}
}

func TestGap(t *testing.T) {
	s := &Splitter{Max: 64}
	got, _ := feed(s, "RETR fi")
	s.Gap() // the rest of "RETR file" was lost: skip to the line end
	more, _ := feed(s, "le.txt\r\nQUIT\r\n")
	got = append(got, more...)
	s.Gap() // nothing in progress: the next byte starts a line
	more, _ = feed(s, "NOOP\r\n")
	got = append(got, more...)
	if diff := cmp.Diff([]string{"QUIT", "NOOP"}, got); diff != "" {
		t.Errorf("lines after gaps (-want +got):\n%s", diff)
	}
}

func FuzzNext(f *testing.F) {
	f.Add([]byte("EHLO x\r\nMAIL FROM:<a@b>\r\n"), uint8(3))
	f.Add([]byte("\n\n\r\r\n"), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, cut uint8) {
		s := &Splitter{Max: 32}
		n := 0
		for len(data) > 0 {
			step := min(int(cut)%7+1, len(data))
			chunk := data[:step]
			data = data[step:]
			for len(chunk) > 0 {
				line, rest, _ := s.Next(chunk)
				if len(line) > s.Max || len(rest) >= len(chunk) && line == nil && len(rest) != 0 {
					t.Fatalf("line %d bytes over Max, or no progress", len(line))
				}
				chunk = rest
				n++
			}
		}
		if s.Buffered() > s.Max {
			t.Fatalf("buffered %d bytes, Max %d", s.Buffered(), s.Max)
		}
	})
}
