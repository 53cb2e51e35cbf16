package web

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime/pprof"
	"testing"
)

func TestZZProfile(t *testing.T) {
	if os.Getenv("ZZPROF") == "" {
		t.Skip()
	}
	s := apiServer(t, apiDB(t))
	hs := httptest.NewServer(s)
	defer hs.Close()
	f, _ := os.Create("/tmp/dl/cpu.prof")
	pprof.StartCPUProfile(f)
	out, err := exec.Command("wrk", "-t2", "-c32", "-d6s", "--latency", hs.URL+"/api/v1/questions/"+testQuestionID+"/series?format=csv").CombinedOutput()
	pprof.StopCPUProfile()
	f.Close()
	t.Log(string(out), err)
}
