// Wrapping VFS: forwards every call to the real default VFS, except that
// writes and syncs fail while a fault is armed.
#include "journaling/support/faulty_vfs.hpp"

#include <atomic>
#include <cstring>
#include <mutex>

#include <sqlite3.h>

namespace horae::test {

namespace {

std::atomic<disk_fault> current_fault{disk_fault::none};
std::atomic<int> fault_count{0};
sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs shim_vfs;
sqlite3_io_methods shim_methods;

// Our file object; the real VFS's file object follows it in memory.
struct shim_file {
  sqlite3_file base;
  sqlite3_file* real;
};

sqlite3_file* real_of(sqlite3_file* f) {
  return reinterpret_cast<shim_file*>(f)->real;
}

int shim_close(sqlite3_file* f) {
  auto real = real_of(f);
  return real->pMethods ? real->pMethods->xClose(real) : SQLITE_OK;
}

int shim_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  auto real = real_of(f);
  return real->pMethods->xRead(real, buf, n, off);
}

int shim_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  switch (current_fault.load()) {
    case disk_fault::full:
      ++fault_count;
      return SQLITE_FULL;
    case disk_fault::io_error:
      ++fault_count;
      return SQLITE_IOERR_WRITE;
    case disk_fault::none:
      break;
  }
  auto real = real_of(f);
  return real->pMethods->xWrite(real, buf, n, off);
}

int shim_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (current_fault.load() != disk_fault::none) {
    ++fault_count;
    return SQLITE_IOERR_TRUNCATE;
  }
  auto real = real_of(f);
  return real->pMethods->xTruncate(real, size);
}

int shim_sync(sqlite3_file* f, int flags) {
  if (current_fault.load() == disk_fault::io_error) {
    ++fault_count;
    return SQLITE_IOERR_FSYNC;
  }
  auto real = real_of(f);
  return real->pMethods->xSync(real, flags);
}

int shim_file_size(sqlite3_file* f, sqlite3_int64* size) {
  auto real = real_of(f);
  return real->pMethods->xFileSize(real, size);
}

int shim_lock(sqlite3_file* f, int level) {
  auto real = real_of(f);
  return real->pMethods->xLock(real, level);
}

int shim_unlock(sqlite3_file* f, int level) {
  auto real = real_of(f);
  return real->pMethods->xUnlock(real, level);
}

int shim_check_reserved(sqlite3_file* f, int* out) {
  auto real = real_of(f);
  return real->pMethods->xCheckReservedLock(real, out);
}

int shim_file_control(sqlite3_file* f, int op, void* arg) {
  auto real = real_of(f);
  return real->pMethods->xFileControl(real, op, arg);
}

int shim_sector_size(sqlite3_file* f) {
  auto real = real_of(f);
  return real->pMethods->xSectorSize(real);
}

int shim_device_characteristics(sqlite3_file* f) {
  auto real = real_of(f);
  return real->pMethods->xDeviceCharacteristics(real);
}

int shim_shm_map(sqlite3_file* f, int page, int size, int extend,
                 void volatile** out) {
  auto real = real_of(f);
  return real->pMethods->xShmMap(real, page, size, extend, out);
}

int shim_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  auto real = real_of(f);
  return real->pMethods->xShmLock(real, offset, n, flags);
}

void shim_shm_barrier(sqlite3_file* f) {
  auto real = real_of(f);
  real->pMethods->xShmBarrier(real);
}

int shim_shm_unmap(sqlite3_file* f, int del) {
  auto real = real_of(f);
  return real->pMethods->xShmUnmap(real, del);
}

int shim_open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags,
              int* out_flags) {
  auto self = reinterpret_cast<shim_file*>(f);
  self->real = reinterpret_cast<sqlite3_file*>(self + 1);
  std::memset(self->real, 0, static_cast<size_t>(real_vfs->szOsFile));
  auto rc = real_vfs->xOpen(real_vfs, name, self->real, flags, out_flags);
  // SQLite calls xClose only if pMethods is set, so leave it null on error.
  self->base.pMethods = self->real->pMethods ? &shim_methods : nullptr;
  return rc;
}

int shim_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return real_vfs->xDelete(real_vfs, name, sync_dir);
}

int shim_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return real_vfs->xAccess(real_vfs, name, flags, out);
}

int shim_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return real_vfs->xFullPathname(real_vfs, name, n, out);
}

} // namespace

void install_faulty_vfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    real_vfs = sqlite3_vfs_find(nullptr);
    shim_vfs = *real_vfs;
    shim_vfs.zName = "horae-faulty";
    shim_vfs.szOsFile
      = static_cast<int>(sizeof(shim_file)) + real_vfs->szOsFile;
    shim_vfs.xOpen = shim_open;
    shim_vfs.xDelete = shim_delete;
    shim_vfs.xAccess = shim_access;
    shim_vfs.xFullPathname = shim_full_pathname;
    shim_methods.iVersion = 2; // WAL needs the shared-memory methods
    shim_methods.xClose = shim_close;
    shim_methods.xRead = shim_read;
    shim_methods.xWrite = shim_write;
    shim_methods.xTruncate = shim_truncate;
    shim_methods.xSync = shim_sync;
    shim_methods.xFileSize = shim_file_size;
    shim_methods.xLock = shim_lock;
    shim_methods.xUnlock = shim_unlock;
    shim_methods.xCheckReservedLock = shim_check_reserved;
    shim_methods.xFileControl = shim_file_control;
    shim_methods.xSectorSize = shim_sector_size;
    shim_methods.xDeviceCharacteristics = shim_device_characteristics;
    shim_methods.xShmMap = shim_shm_map;
    shim_methods.xShmLock = shim_shm_lock;
    shim_methods.xShmBarrier = shim_shm_barrier;
    shim_methods.xShmUnmap = shim_shm_unmap;
    sqlite3_vfs_register(&shim_vfs, 1);
  });
}

void set_disk_fault(disk_fault fault) {
  fault_count = 0;
  current_fault = fault;
}

int injected_faults() {
  return fault_count.load();
}

} // namespace horae::test
