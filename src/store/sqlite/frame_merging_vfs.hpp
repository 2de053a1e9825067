#pragma once
// A thin SQLite VFS over the default one that writes each WAL frame with one pwrite, not two.
//
// SQLite appends a WAL frame as two writes: its 24-byte header, then the page right after it.
// On this kind of machine a pwrite costs ~4 us of kernel time whatever its size, and a message
// costs ~4-5 frames (bench/RESULTS.md, 2026-12-02): the headers were almost half of the writer
// thread's system time. This VFS holds a frame header back until the write that continues it
// arrives, and writes both as one buffer. Any other call on the file (read, sync, truncate, size,
// lock, close, a write elsewhere) writes a held header first, so the file is never seen without
// it, and nothing else changes: the same bytes reach the file in the same order. A crash while a
// header is held loses an unfinished frame, which SQLite's recovery discards anyway; a commit
// returns only after its last frame's page, and so its header, has been written.
//
// Files other than WAL files are passed to the default VFS untouched.
namespace cz::store::sqlite {

// The VFS's name, for sqlite3_open_v2. Registers it (once, thread-safe) on first use.
const char* frame_merging_vfs();

}  // namespace cz::store::sqlite
