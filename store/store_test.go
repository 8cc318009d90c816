package store

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
)

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), DefaultFileName)
	s, err := OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func TestMigratesToCurrentVersion(t *testing.T) {
	s, _ := openTemp(t)
	v, err := s.Version(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v != SchemaVersion() {
		t.Fatalf("version %d, want %d", v, SchemaVersion())
	}
}

func TestVarsSurviveReopen(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	if _, err := s.Var(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing var: %v, want ErrNotFound", err)
	}
	if err := s.SetVar(ctx, "tip", []byte{1}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetVar(ctx, "tip", []byte{2}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s2, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.Var(ctx, "tip")
	if err != nil || !bytes.Equal(got, []byte{2}) {
		t.Fatalf("tip = %v, %v; want [2]", got, err)
	}
	if v, _ := s2.Version(ctx); v != SchemaVersion() {
		t.Fatalf("reopened version %d", v)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	if _, err := s.db.ExecContext(ctx, `UPDATE schema_version SET version = 999`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := OpenSQLite(ctx, path); err == nil {
		t.Fatal("opening a newer schema must fail")
	}
}
