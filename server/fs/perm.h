/*
 * Permissions on files: who may search, read, write or execute a file,
 * remove a name, change an owner or a mode, as Linux's generic_permission,
 * check_sticky, inode_init_owner, chown_ok, setattr_prepare and
 * should_remove_suid decide them from the caller's file-system ids, its
 * groups and its capabilities.  Pure functions on a cred and a file's
 * owner and mode (host unit tests); vfs.c and the calls apply them.
 */
#ifndef SRV_PERM_H
#define SRV_PERM_H

#include <stdbool.h>
#include <stdint.h>

#include "cred.h"

#define MAY_EXEC  1
#define MAY_WRITE 2
#define MAY_READ  4

#define S_ISUID_L 04000
#define S_ISGID_L 02000
#define S_ISVTX_L 01000
#define S_IFMT_L  0170000
#define S_IFDIR_L 0040000

/* the owner, group and mode of a file, as the checks see it */
struct owner {
	uint32_t uid, gid, mode; /* mode: S_IF* | permission bits */
};

/* may c have access want (MAY_*) to a file: 0 or -EACCES.  The owner's,
 * the group's or the others' bits, whichever class c is in; then
 * CAP_DAC_READ_SEARCH (reading, searching directories) and
 * CAP_DAC_OVERRIDE (anything but executing a file nobody may execute) */
int perm_check(const struct cred *c, const struct owner *o, int want);
/* c owns the file or has CAP_FOWNER (inode_owner_or_capable) */
bool perm_owner(const struct cred *c, const struct owner *o);
/* removing or renaming a name of file f in directory d is refused by d's
 * sticky bit: c owns neither and lacks CAP_FOWNER (EPERM) */
bool perm_sticky(const struct cred *c, const struct owner *d, const struct owner *f);
/* the owner of a new file of mode (S_IF* | bits, umask applied) made by c
 * in directory d (NULL: none): c's file-system ids, or d's group when d is
 * set-group-ID (a directory inherits the bit; a file keeps a set-group-ID
 * bit only if c is in that group or has CAP_FSETID) */
struct owner perm_new_owner(const struct cred *c, const struct owner *d, uint32_t mode);
/* chown to uid and gid (ID_UNCHANGED: leave it): 0 or -EPERM.  The owner
 * may give the file to a group it is in; anything else takes CAP_CHOWN */
int perm_chown(const struct cred *c, const struct owner *o, uint32_t uid, uint32_t gid);
/* chmod to mode (bits): the owner or CAP_FOWNER, else -EPERM; the bits to
 * set, without set-group-ID when c is not in the (new) group and lacks
 * CAP_FSETID */
int perm_chmod(const struct cred *c, const struct owner *o, uint32_t *mode);
/* the set-id bits a write or truncate by c takes from a file: set-user-ID,
 * and set-group-ID when group execute is on, unless c has CAP_FSETID */
uint32_t perm_kill_suid(const struct cred *c, const struct owner *o);
/* access(2)'s credentials: the real ids as file-system ids, and the
 * capabilities root has (the permitted set for a real root, none for
 * anyone else); dst shares src's groups (do not free it) */
void perm_access_cred(struct cred *dst, const struct cred *src);

#endif
