package main

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"strconv"

	"github.com/pollagg/pollagg/poll/sim"
)

func main() {
	seed, _ := strconv.Atoi(os.Args[1])
	s := sim.RandomScenario(rand.New(rand.NewPCG(uint64(seed), 7)))
	s.Jumps = nil
	w := sim.Generate(uint64(seed), s)
	b, _ := json.Marshal(w)
	os.WriteFile("/tmp/diag/w.json", b, 0o644)
}
