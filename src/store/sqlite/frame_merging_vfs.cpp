#include "store/sqlite/frame_merging_vfs.hpp"

#include <sqlite3.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace cz::store::sqlite {
namespace {

constexpr int kFrameHeaderSize = 24;  // WAL_FRAME_HDRSIZE in SQLite's wal.c
constexpr const char* kName = "cz-frame-merging";

sqlite3_vfs* base_vfs = nullptr;  // the default VFS, set once at registration

// Our file: the held header, then the base VFS's file object (base_file()).
struct WalFile {
  sqlite3_file file;  // must come first: SQLite sees a WalFile* as an sqlite3_file*
  bool holding = false;
  sqlite3_int64 held_offset = 0;
  unsigned char held[kFrameHeaderSize];
  std::vector<unsigned char>* joined;  // scratch for header + page, owned by the file
};

sqlite3_file* base_file(sqlite3_file* f) {
  return reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + sizeof(WalFile));
}
WalFile* wal(sqlite3_file* f) {
  return reinterpret_cast<WalFile*>(f);
}

// Writes a held header, if any. Every method but the header's own continuation calls it first.
int release(sqlite3_file* f) {
  WalFile* w = wal(f);
  if (!w->holding) return SQLITE_OK;
  w->holding = false;
  sqlite3_file* b = base_file(f);
  return b->pMethods->xWrite(b, w->held, kFrameHeaderSize, w->held_offset);
}

int wal_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  WalFile* w = wal(f);
  sqlite3_file* b = base_file(f);
  if (w->holding && offset == w->held_offset + kFrameHeaderSize) {
    // The page that continues the held header: one write for both.
    std::vector<unsigned char>& joined = *w->joined;
    joined.resize(kFrameHeaderSize + static_cast<std::size_t>(amount));
    std::memcpy(joined.data(), w->held, kFrameHeaderSize);
    std::memcpy(joined.data() + kFrameHeaderSize, data, static_cast<std::size_t>(amount));
    w->holding = false;
    return b->pMethods->xWrite(b, joined.data(), static_cast<int>(joined.size()), w->held_offset);
  }
  if (int rc = release(f); rc != SQLITE_OK) return rc;
  if (amount == kFrameHeaderSize) {
    w->holding = true;
    w->held_offset = offset;
    std::memcpy(w->held, data, kFrameHeaderSize);
    return SQLITE_OK;
  }
  return b->pMethods->xWrite(b, data, amount, offset);
}

int wal_close(sqlite3_file* f) {
  const int released = release(f);
  sqlite3_file* b = base_file(f);
  const int rc = b->pMethods->xClose(b);
  delete wal(f)->joined;
  return released != SQLITE_OK ? released : rc;
}

// The rest: write what is held, then do what the base file does.
int wal_read(sqlite3_file* f, void* data, int amount, sqlite3_int64 offset) {
  if (int rc = release(f); rc != SQLITE_OK) return rc;
  return base_file(f)->pMethods->xRead(base_file(f), data, amount, offset);
}
int wal_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (int rc = release(f); rc != SQLITE_OK) return rc;
  return base_file(f)->pMethods->xTruncate(base_file(f), size);
}
int wal_sync(sqlite3_file* f, int flags) {
  if (int rc = release(f); rc != SQLITE_OK) return rc;
  return base_file(f)->pMethods->xSync(base_file(f), flags);
}
int wal_file_size(sqlite3_file* f, sqlite3_int64* size) {
  if (int rc = release(f); rc != SQLITE_OK) return rc;
  return base_file(f)->pMethods->xFileSize(base_file(f), size);
}
int wal_lock(sqlite3_file* f, int level) {
  if (int rc = release(f); rc != SQLITE_OK) return rc;
  return base_file(f)->pMethods->xLock(base_file(f), level);
}
int wal_unlock(sqlite3_file* f, int level) {
  if (int rc = release(f); rc != SQLITE_OK) return rc;
  return base_file(f)->pMethods->xUnlock(base_file(f), level);
}
int wal_check_reserved_lock(sqlite3_file* f, int* out) {
  if (int rc = release(f); rc != SQLITE_OK) return rc;
  return base_file(f)->pMethods->xCheckReservedLock(base_file(f), out);
}
int wal_file_control(sqlite3_file* f, int op, void* arg) {
  if (int rc = release(f); rc != SQLITE_OK) return rc;
  return base_file(f)->pMethods->xFileControl(base_file(f), op, arg);
}
int wal_sector_size(sqlite3_file* f) {
  return base_file(f)->pMethods->xSectorSize(base_file(f));
}
int wal_device_characteristics(sqlite3_file* f) {
  return base_file(f)->pMethods->xDeviceCharacteristics(base_file(f));
}
int wal_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  if (int rc = release(f); rc != SQLITE_OK) return rc;
  return base_file(f)->pMethods->xShmMap(base_file(f), page, size, extend, out);
}
int wal_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  if (int rc = release(f); rc != SQLITE_OK) return rc;
  return base_file(f)->pMethods->xShmLock(base_file(f), offset, n, flags);
}
void wal_shm_barrier(sqlite3_file* f) {
  release(f);
  base_file(f)->pMethods->xShmBarrier(base_file(f));
}
int wal_shm_unmap(sqlite3_file* f, int delete_flag) {
  if (int rc = release(f); rc != SQLITE_OK) return rc;
  return base_file(f)->pMethods->xShmUnmap(base_file(f), delete_flag);
}
int wal_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  if (int rc = release(f); rc != SQLITE_OK) return rc;
  return base_file(f)->pMethods->xFetch(base_file(f), offset, amount, out);
}
int wal_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  if (int rc = release(f); rc != SQLITE_OK) return rc;
  return base_file(f)->pMethods->xUnfetch(base_file(f), offset, p);
}

// The methods of our WAL files: the base file's version, as far as it has them.
sqlite3_io_methods wal_methods_for(const sqlite3_io_methods& base) {
  sqlite3_io_methods m{};
  m.iVersion = base.iVersion;
  m.xClose = wal_close;
  m.xRead = wal_read;
  m.xWrite = wal_write;
  m.xTruncate = wal_truncate;
  m.xSync = wal_sync;
  m.xFileSize = wal_file_size;
  m.xLock = wal_lock;
  m.xUnlock = wal_unlock;
  m.xCheckReservedLock = wal_check_reserved_lock;
  m.xFileControl = wal_file_control;
  m.xSectorSize = wal_sector_size;
  m.xDeviceCharacteristics = wal_device_characteristics;
  if (base.iVersion >= 2) {
    m.xShmMap = wal_shm_map;
    m.xShmLock = wal_shm_lock;
    m.xShmBarrier = wal_shm_barrier;
    m.xShmUnmap = wal_shm_unmap;
  }
  if (base.iVersion >= 3) {
    m.xFetch = wal_fetch;
    m.xUnfetch = wal_unfetch;
  }
  return m;
}

int vfs_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  if (!(flags & SQLITE_OPEN_WAL)) {
    // Not a WAL file: the base VFS's own file object, at the start of ours, with its methods.
    return base_vfs->xOpen(base_vfs, name, f, flags, out_flags);
  }
  WalFile* w = wal(f);
  w->file.pMethods = nullptr;  // until the base file is open: SQLite then calls no method
  w->holding = false;
  sqlite3_file* b = base_file(f);
  const int rc = base_vfs->xOpen(base_vfs, name, b, flags, out_flags);
  if (rc != SQLITE_OK || !b->pMethods) return rc;
  // One table per kind of base file (in practice one: unix files), built on first use.
  // Kept for the life of the process (never destroyed: open files point at them), reachable from
  // this static so that leak checkers see them as in use.
  static std::mutex mutex;
  static auto& tables =
      *new std::vector<std::pair<const sqlite3_io_methods*, std::unique_ptr<sqlite3_io_methods>>>();
  const sqlite3_io_methods* methods = nullptr;
  {
    std::lock_guard lock(mutex);
    for (const auto& [base, ours] : tables)
      if (base == b->pMethods) methods = ours.get();
    if (!methods) {
      tables.emplace_back(b->pMethods,
                          std::make_unique<sqlite3_io_methods>(wal_methods_for(*b->pMethods)));
      methods = tables.back().second.get();
    }
  }
  w->joined = new std::vector<unsigned char>();
  w->file.pMethods = methods;
  return SQLITE_OK;
}

// Everything else goes to the base VFS as it is.
int vfs_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return base_vfs->xDelete(base_vfs, name, sync_dir);
}
int vfs_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return base_vfs->xAccess(base_vfs, name, flags, out);
}
int vfs_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return base_vfs->xFullPathname(base_vfs, name, n, out);
}
void* vfs_dl_open(sqlite3_vfs*, const char* name) {
  return base_vfs->xDlOpen(base_vfs, name);
}
void vfs_dl_error(sqlite3_vfs*, int n, char* out) {
  base_vfs->xDlError(base_vfs, n, out);
}
void (*vfs_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return base_vfs->xDlSym(base_vfs, handle, symbol);
}
void vfs_dl_close(sqlite3_vfs*, void* handle) {
  base_vfs->xDlClose(base_vfs, handle);
}
int vfs_randomness(sqlite3_vfs*, int n, char* out) {
  return base_vfs->xRandomness(base_vfs, n, out);
}
int vfs_sleep(sqlite3_vfs*, int microseconds) {
  return base_vfs->xSleep(base_vfs, microseconds);
}
int vfs_current_time(sqlite3_vfs*, double* out) {
  return base_vfs->xCurrentTime(base_vfs, out);
}
int vfs_get_last_error(sqlite3_vfs*, int n, char* out) {
  return base_vfs->xGetLastError ? base_vfs->xGetLastError(base_vfs, n, out) : 0;
}
int vfs_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
  return base_vfs->xCurrentTimeInt64(base_vfs, out);
}

sqlite3_vfs* make_vfs() {
  base_vfs = sqlite3_vfs_find(nullptr);
  if (!base_vfs) throw std::runtime_error("sqlite: no default VFS");
  auto* vfs = new sqlite3_vfs{};  // registered for the life of the process
  vfs->iVersion = 2;
  vfs->szOsFile = static_cast<int>(sizeof(WalFile)) + base_vfs->szOsFile;
  vfs->mxPathname = base_vfs->mxPathname;
  vfs->zName = kName;
  vfs->xOpen = vfs_open;
  vfs->xDelete = vfs_delete;
  vfs->xAccess = vfs_access;
  vfs->xFullPathname = vfs_full_pathname;
  vfs->xDlOpen = vfs_dl_open;
  vfs->xDlError = vfs_dl_error;
  vfs->xDlSym = vfs_dl_sym;
  vfs->xDlClose = vfs_dl_close;
  vfs->xRandomness = vfs_randomness;
  vfs->xSleep = vfs_sleep;
  vfs->xCurrentTime = vfs_current_time;
  vfs->xGetLastError = vfs_get_last_error;
  vfs->xCurrentTimeInt64 =
      base_vfs->iVersion >= 2 && base_vfs->xCurrentTimeInt64 ? vfs_current_time_int64 : nullptr;
  if (sqlite3_vfs_register(vfs, 0) != SQLITE_OK)
    throw std::runtime_error("sqlite: cannot register the frame-merging VFS");
  return vfs;
}

}  // namespace

const char* frame_merging_vfs() {
  static sqlite3_vfs* vfs = make_vfs();
  return vfs->zName;
}

}  // namespace cz::store::sqlite
