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
#endif
