package store

import (
	"encoding/json"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/pollagg/pollagg/poll"
)

// TestUploadsNewestFirstPastAMillion: upload ids grow past six digits, and
// u1000000 is newer than u999999 although its key sorts before it.
func TestUploadsNewestFirstPastAMillion(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		for _, id := range []string{"u999998", "u1000000", "u999999", "u1000001"} {
			v, _ := json.Marshal(poll.Upload{ID: id, Account: "a"})
			if err := tx.Bucket(bucketUploads).Put([]byte(id), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ups, err := db.Uploads("a")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range ups {
		got = append(got, u.ID)
	}
	if want := []string{"u1000001", "u1000000", "u999999", "u999998"}; len(got) != 4 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Fatalf("order %v, want %v", got, want)
	}
}
