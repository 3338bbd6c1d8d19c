/* Unit tests of the file permission rules (server/fs/perm.c): the owner's,
 * group's and others' bits, what root's capabilities override and what
 * they do not (executing a file nobody may execute), the sticky bit, the
 * owner of a new file in a set-group-ID directory, chown and chmod by an
 * owner, the set-id bits a write takes, and access(2)'s real ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "srv_test.h"

#include "perm.h"

#define REG 0100000u
#define DIR 0040000u

static void test_classes(void **state)
{
	(void)state;
	struct cred u = user(1000, 100);
	struct owner mine = {1000, 5, REG | 0470}; /* r-- for the owner, rwx for the group */
	assert_int_equal(perm_check(&u, &mine, MAY_READ), 0);
	/* the owner's bits alone count for the owner, even where the group's would allow */
	assert_int_equal(perm_check(&u, &mine, MAY_WRITE), -EACCES);
	struct owner grp = {2000, 100, REG | 0064};
	assert_int_equal(perm_check(&u, &grp, MAY_READ | MAY_WRITE), 0);
	assert_int_equal(perm_check(&u, &grp, MAY_EXEC), -EACCES);
	struct owner other = {2000, 200, REG | 0604};
	assert_int_equal(perm_check(&u, &other, MAY_READ), 0);
	assert_int_equal(perm_check(&u, &other, MAY_WRITE), -EACCES);
	/* a supplementary group counts */
	uint32_t g = 200;
	struct cred root;
	cred_init_root(&root);
	assert_int_equal(cred_setgroups(&root, &g, 1), 0);
	assert_int_equal(cred_setresuid(&root, 1000, 1000, 1000), 0);
	struct owner g200 = {2000, 200, REG | 0060};
	assert_int_equal(perm_check(&root, &g200, MAY_WRITE), 0);
	cred_free(&root);
	srv_end();
}

static void test_root_overrides(void **state)
{
	(void)state;
	struct cred r;
	cred_init_root(&r);
	struct owner none = {1000, 1000, REG | 0000}, dir = {1000, 1000, DIR | 0000};
	assert_int_equal(perm_check(&r, &none, MAY_READ | MAY_WRITE), 0);
	assert_int_equal(perm_check(&r, &none, MAY_EXEC), -EACCES); /* no x bit anywhere */
	struct owner xo = {1000, 1000, REG | 0001};
	assert_int_equal(perm_check(&r, &xo, MAY_EXEC), 0);
	assert_int_equal(perm_check(&r, &dir, MAY_EXEC | MAY_WRITE), 0);
	/* only CAP_DAC_READ_SEARCH left: reading and searching, no writing */
	r.cap_eff = CAP_BIT(CAP_DAC_READ_SEARCH);
	r.fsuid = 5;
	assert_int_equal(perm_check(&r, &none, MAY_READ), 0);
	assert_int_equal(perm_check(&r, &none, MAY_WRITE), -EACCES);
	assert_int_equal(perm_check(&r, &dir, MAY_EXEC | MAY_READ), 0);
	assert_int_equal(perm_check(&r, &dir, MAY_WRITE), -EACCES);
	srv_end();
}

static void test_sticky(void **state)
{
	(void)state;
	struct cred u = user(1000, 100), v = user(2000, 100), r;
	cred_init_root(&r);
	struct owner tmp = {0, 0, DIR | 01777}, file = {2000, 100, REG | 0644};
	assert_true(perm_sticky(&u, &tmp, &file));
	assert_false(perm_sticky(&v, &tmp, &file)); /* its owner */
	assert_false(perm_sticky(&r, &tmp, &file)); /* CAP_FOWNER */
	struct owner mydir = {1000, 100, DIR | 01777};
	assert_false(perm_sticky(&u, &mydir, &file)); /* the directory's owner */
	struct owner plain = {0, 0, DIR | 0777};
	assert_false(perm_sticky(&u, &plain, &file));
	srv_end();
}

static void test_new_owner(void **state)
{
	(void)state;
	struct cred u = user(1000, 100);
	struct owner plain = {0, 0, DIR | 0777}, sgid = {0, 50, DIR | 02777};
	struct owner o = perm_new_owner(&u, &plain, REG | 0644);
	assert_int_equal(o.uid, 1000);
	assert_int_equal(o.gid, 100);
	o = perm_new_owner(&u, &sgid, DIR | 0755);
	assert_int_equal(o.gid, 50);
	assert_int_equal(o.mode, DIR | 02755); /* a directory inherits the bit */
	o = perm_new_owner(&u, &sgid, REG | 02755);
	assert_int_equal(o.gid, 50);
	assert_int_equal(o.mode, REG | 0755); /* not in group 50: no set-group-ID file */
	o = perm_new_owner(&u, &sgid, REG | 02745);
	assert_int_equal(o.mode, REG | 02745); /* (no group execute: a locking mark, kept) */
	srv_end();
}

static void test_chown_chmod(void **state)
{
	(void)state;
	struct cred u = user(1000, 100), r;
	cred_init_root(&r);
	struct owner mine = {1000, 100, REG | 06755}, theirs = {2000, 100, REG | 0644};
	assert_int_equal(perm_chown(&u, &mine, ID_UNCHANGED, ID_UNCHANGED), 0);
	assert_int_equal(perm_chown(&u, &mine, 1000, 100), 0);
	assert_int_equal(perm_chown(&u, &mine, 2000, ID_UNCHANGED), -EPERM); /* giving it away */
	assert_int_equal(perm_chown(&u, &mine, ID_UNCHANGED, 300), -EPERM); /* not its group */
	assert_int_equal(perm_chown(&u, &theirs, ID_UNCHANGED, 100), -EPERM);
	assert_int_equal(perm_chown(&u, &theirs, ID_UNCHANGED, ID_UNCHANGED), 0);
	assert_int_equal(perm_chown(&r, &theirs, 5, 5), 0);
	uint32_t mode = 02755;
	assert_int_equal(perm_chmod(&u, &theirs, &mode), -EPERM);
	assert_int_equal(perm_chmod(&u, &mine, &mode), 0);
	assert_int_equal(mode, 02755);
	struct owner ingrp = {1000, 300, REG | 0644};
	mode = 02755;
	assert_int_equal(perm_chmod(&u, &ingrp, &mode), 0);
	assert_int_equal(mode, 0755); /* not in its group */
	assert_int_equal(perm_kill_suid(&u, &mine), 06000);
	struct owner lockmark = {1000, 100, REG | 02644};
	assert_int_equal(perm_kill_suid(&u, &lockmark), 0);
	assert_int_equal(perm_kill_suid(&r, &mine), 0); /* CAP_FSETID */
	srv_end();
}

static void test_access_cred(void **state)
{
	(void)state;
	struct cred c;
	cred_init_root(&c);
	assert_int_equal(cred_setresuid(&c, 1000, 0, 0), 0); /* a set-user-ID root program */
	struct cred a;
	perm_access_cred(&a, &c);
	assert_int_equal(a.fsuid, 1000);
	assert_int_equal(a.cap_eff, 0);
	struct owner f = {0, 0, REG | 0600};
	assert_int_equal(perm_check(&c, &f, MAY_READ), 0);
	assert_int_equal(perm_check(&a, &f, MAY_READ), -EACCES);
	struct cred r;
	cred_init_root(&r);
	r.cap_eff = 0; /* a real root gets its permitted set back */
	perm_access_cred(&a, &r);
	assert_int_equal(a.cap_eff, CAP_FULL_SET);
	srv_end();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_classes, srv_begin),     cmocka_unit_test_setup(test_root_overrides, srv_begin),
		cmocka_unit_test_setup(test_sticky, srv_begin),      cmocka_unit_test_setup(test_new_owner, srv_begin),
		cmocka_unit_test_setup(test_chown_chmod, srv_begin), cmocka_unit_test_setup(test_access_cred, srv_begin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
