// A SQLite VFS shim for fault injection: it wraps the default VFS and, when
// armed, fails writes as a full disk (SQLITE_FULL) or fails writes and syncs
// with an I/O error, so tests can break a transaction halfway.
#pragma once

namespace horae::test {

/// The fault the shim injects into every write and sync while armed.
enum class disk_fault {
  none,
  /// xWrite and xTruncate fail with SQLITE_FULL.
  full,
  /// xWrite fails with SQLITE_IOERR_WRITE and xSync with SQLITE_IOERR_FSYNC.
  io_error,
};

/// Registers the shim as SQLite's default VFS (once per process); every
/// connection opened afterwards goes through it.
void install_faulty_vfs();

/// Arms or disarms the shim for all connections.
void set_disk_fault(disk_fault fault);

/// @returns how many calls the shim failed since the last `set_disk_fault`.
int injected_faults();

} // namespace horae::test
