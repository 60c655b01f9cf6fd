package aio_test

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// mappingSection is the final section of docs/MAPPING.md: one table row per
// name of asyncio.__all__ (Python 3.13), listed in docs/asyncio_all_313.txt.
const mappingSection = "## Every name in asyncio.__all__"

// TestMappingCoversAsyncioAll keeps docs/MAPPING.md complete: every name of
// docs/asyncio_all_313.txt has a row (its backquoted name in the first
// column) in the final section, no row names something else, and the rows
// are in the file's order (case-insensitive alphabetical).
func TestMappingCoversAsyncioAll(t *testing.T) {
	list, err := os.ReadFile("docs/asyncio_all_313.txt")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for line := range strings.Lines(string(list)) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			names = append(names, line)
		}
	}
	if len(names) < 100 {
		t.Fatalf("docs/asyncio_all_313.txt lists %d names, want the whole of asyncio.__all__", len(names))
	}

	doc, err := os.ReadFile("docs/MAPPING.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n"+mappingSection+"\n")
	if !ok {
		t.Fatalf("docs/MAPPING.md has no %q section", mappingSection)
	}
	if next := strings.Index(section, "\n## "); next >= 0 {
		section = section[:next] // only this section's rows count
	}
	var rows []string
	for line := range strings.Lines(section) {
		if first, ok := strings.CutPrefix(line, "| `"); ok {
			if name, _, ok := strings.Cut(first, "` |"); ok {
				rows = append(rows, name)
			}
		}
	}

	has := make(map[string]bool, len(rows))
	for _, r := range rows {
		has[r] = true
	}
	listed := make(map[string]bool, len(names))
	for _, n := range names {
		listed[n] = true
		if !has[n] {
			t.Errorf("asyncio.%s has no row in the %q section of docs/MAPPING.md", n, mappingSection)
		}
	}
	for _, r := range rows {
		if !listed[r] {
			t.Errorf("docs/MAPPING.md has a row for %q, which is not in docs/asyncio_all_313.txt", r)
		}
	}
	if !t.Failed() && !slices.Equal(rows, names) {
		t.Errorf("the rows of %q are not in the order of docs/asyncio_all_313.txt (case-insensitive alphabetical)", mappingSection)
	}
}
