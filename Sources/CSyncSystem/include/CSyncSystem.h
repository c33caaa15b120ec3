// Linux-only syscalls and constants that Glibc's Swift module does not export without
// _GNU_SOURCE. Only SyncCore/FileSystem uses these.
#ifndef CSYNCSYSTEM_H
#define CSYNCSYSTEM_H
#include <stddef.h>
#include <sys/types.h>

long long cs_copy_file_range(int fd_in, long long *off_in, int fd_out, long long *off_out, size_t len);
long long cs_getdents64(int fd, void *buffer, size_t count);
int cs_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);
int cs_open_tmpfile(int dirfd, int flags, unsigned int mode);
int cs_link_empty_path(int fd, int newdirfd, const char *newpath);
int cs_punch_hole(int fd, long long offset, long long length);
int cs_open_flags_noatime(void);
int cs_seek_data(void);
int cs_seek_hole(void);
unsigned int cs_rename_noreplace(void);
long cs_utime_omit(void);
long cs_utime_now(void);
// mallopt(M_ARENA_MAX, n): glibc's malloc.h is not in Glibc's Swift module.
int cs_malloc_arena_max(int arenas);
// openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS (a component walk on older kernels).
int cs_open_beneath(int dirfd, const char *path, int flags);
int cs_o_path(void);

// Fault-safe mapped reads (MappingGuard.c): register a mapping before reading it; a SIGBUS
// inside it (the file shrank) reads zeros instead and marks the slot torn. -1: not guarded.
int cs_guard_register(const void *start, size_t length);
int cs_guard_torn(int slot);
void cs_guard_unregister(int slot);
#endif
