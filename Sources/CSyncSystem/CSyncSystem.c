#define _GNU_SOURCE
#include <malloc.h>
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

// openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS): `path` may have several components, but
// none may be a symlink and none may lead outside `dirfd`. Kernels before 5.6 lack openat2:
// there the same rules are kept by opening one component at a time with O_NOFOLLOW.
#include <errno.h>
#include <linux/openat2.h>
#include <string.h>

int cs_open_beneath(int dirfd, const char *path, int flags) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (unsigned long long)(flags | O_CLOEXEC);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
    long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    if (fd >= 0 || errno != ENOSYS) return (int)fd;
    if (path[0] == '/') { errno = EXDEV; return -1; }
    char component[4096];
    int current = dirfd;
    const char *p = path;
    for (;;) {
        while (*p == '/') p++;
        const char *end = strchr(p, '/');
        size_t length = end ? (size_t)(end - p) : strlen(p);
        while (end && end[1] == '/') end++;
        int last = end == NULL || end[1] == '\0';
        if (length == 0 || length >= sizeof component) { errno = length ? ENAMETOOLONG : ENOENT; break; }
        memcpy(component, p, length);
        component[length] = '\0';
        if (strcmp(component, "..") == 0) { errno = EXDEV; break; }
        int next = openat(current, component, last ? (flags | O_NOFOLLOW | O_CLOEXEC)
                                                   : (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (current != dirfd) { int saved = errno; close(current); errno = saved; }
        if (next < 0) return -1;
        if (last) return next;
        current = next;
        p = end + 1;
    }
    if (current != dirfd) { int saved = errno; close(current); errno = saved; }
    return -1;
}

int cs_o_path(void) { return O_PATH; }

int cs_malloc_arena_max(int arenas) { return mallopt(M_ARENA_MAX, arenas); }
