#define _GNU_SOURCE
#include "CSyncSystem.h"
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

long long cs_copy_file_range(int fd_in, long long *off_in, int fd_out, long long *off_out, size_t len) {
    return copy_file_range(fd_in, (loff_t *)off_in, fd_out, (loff_t *)off_out, len, 0);
}

long long cs_getdents64(int fd, void *buffer, size_t count) {
    return syscall(SYS_getdents64, fd, buffer, count);
}

int cs_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags) {
    return renameat2(olddirfd, oldpath, newdirfd, newpath, flags);
}

int cs_open_tmpfile(int dirfd, int flags, unsigned int mode) {
    return openat(dirfd, ".", O_TMPFILE | flags, (mode_t)mode);
}

int cs_link_empty_path(int fd, int newdirfd, const char *newpath) {
    return linkat(fd, "", newdirfd, newpath, AT_EMPTY_PATH);
}

int cs_punch_hole(int fd, long long offset, long long length) {
    return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)offset, (off_t)length);
}

int cs_open_flags_noatime(void) { return O_NOATIME; }
int cs_seek_data(void) { return SEEK_DATA; }
int cs_seek_hole(void) { return SEEK_HOLE; }
unsigned int cs_rename_noreplace(void) { return RENAME_NOREPLACE; }
long cs_utime_omit(void) { return UTIME_OMIT; }
long cs_utime_now(void) { return UTIME_NOW; }
