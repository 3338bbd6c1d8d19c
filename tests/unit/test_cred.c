/* Unit tests of the credential rules (server/proc/cred.c): who may take which
 * user and group ids, what leaving and regaining root does to the
 * capabilities, keep-caps, the file-system ids, capset's subset rules,
 * supplementary groups (sorted, searched, freed) and the permission to
 * signal.  Each starts and ends with the server's heap checked for leaks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "srv_test.h"

#include "cred.h"

static void test_root_setuid_drops_everything(void **state)
{
	(void)state;
	struct cred c;
	cred_init_root(&c);
	assert_true(cred_capable(&c, CAP_SETUID));
	assert_int_equal(cred_setuid(&c, 1000), 0);
	assert_int_equal(c.ruid, 1000);
	assert_int_equal(c.euid, 1000);
	assert_int_equal(c.suid, 1000);
	assert_int_equal(c.fsuid, 1000);
	assert_int_equal(c.cap_eff, 0);
	assert_int_equal(c.cap_prm, 0);
	assert_int_equal(cred_setuid(&c, 0), -EPERM); /* nothing to come back with */
	assert_int_equal(cred_setuid(&c, ID_UNCHANGED), -EINVAL);
	srv_end();
}

static void test_effective_uid_away_and_back(void **state)
{
	(void)state;
	struct cred c;
	cred_init_root(&c);
	assert_int_equal(cred_setresuid(&c, ID_UNCHANGED, 1000, ID_UNCHANGED), 0);
	assert_int_equal(c.cap_eff, 0);            /* euid left root */
	assert_int_equal(c.cap_prm, CAP_FULL_SET); /* the saved uid is root */
	assert_int_equal(cred_setuid(&c, 0), 0);   /* the real uid is 0: allowed */
	assert_int_equal(c.euid, 0);
	assert_int_equal(c.cap_eff, CAP_FULL_SET);
	srv_end();
}

static void test_unprivileged_rules(void **state)
{
	(void)state;
	struct cred c = user(1000, 100);
	assert_int_equal(cred_setreuid(&c, 0, ID_UNCHANGED), -EPERM);
	assert_int_equal(cred_setresuid(&c, ID_UNCHANGED, 2000, ID_UNCHANGED), -EPERM);
	assert_int_equal(cred_setgid(&c, 0), -EPERM);
	uint32_t g = 5;
	assert_int_equal(cred_setgroups(&c, &g, 1), -EPERM);
	assert_int_equal(c.euid, 1000); /* nothing changed */
	assert_int_equal(cred_setfsuid(&c, 0), 1000); /* refused: the old value */
	assert_int_equal(c.fsuid, 1000);
	srv_end();
}

static void test_setreuid_saved_uid(void **state)
{
	(void)state;
	struct cred c;
	cred_init_root(&c);
	assert_int_equal(cred_setreuid(&c, 2000, 3000), 0);
	assert_int_equal(c.suid, 3000); /* a real uid given: saved = new effective */
	assert_int_equal(cred_setreuid(&c, 3000, ID_UNCHANGED), 0);
	assert_int_equal(cred_setreuid(&c, ID_UNCHANGED, 2000), -EPERM); /* 2000 is gone */
	srv_end();
}

static void test_keepcaps(void **state)
{
	(void)state;
	struct cred c;
	cred_init_root(&c);
	c.keepcaps = true;
	assert_int_equal(cred_setresuid(&c, 1000, 1000, 1000), 0);
	assert_int_equal(c.cap_prm, CAP_FULL_SET);
	assert_int_equal(c.cap_eff, 0);
	assert_int_equal(cred_capset(&c, CAP_BIT(CAP_SETUID), CAP_BIT(CAP_SETUID), 0), 0);
	assert_int_equal(cred_capset(&c, CAP_BIT(CAP_KILL), CAP_BIT(CAP_KILL), 0), -EPERM); /* dropped */
	assert_int_equal(cred_capset(&c, CAP_BIT(CAP_SETUID), 0, 0), -EPERM); /* eff beyond prm */
	assert_int_equal(cred_setuid(&c, 0), 0);
	assert_int_equal(c.cap_eff, CAP_BIT(CAP_SETUID)); /* back to root: eff = prm */
	srv_end();
}

static void test_fsuid_takes_file_caps(void **state)
{
	(void)state;
	struct cred c;
	cred_init_root(&c);
	assert_int_equal(cred_setfsuid(&c, 1000), 0);
	assert_false(cred_capable(&c, CAP_DAC_OVERRIDE));
	assert_true(cred_capable(&c, CAP_KILL));
	assert_int_equal(cred_setfsuid(&c, 0), 1000);
	assert_true(cred_capable(&c, CAP_DAC_OVERRIDE));
	srv_end();
}

static void test_groups(void **state)
{
	(void)state;
	struct cred c, d;
	cred_init_root(&c);
	uint32_t g[4] = {30, 10, 20, 10};
	assert_int_equal(cred_setgroups(&c, g, 4), 0);
	assert_int_equal(c.ngroups, 4);
	assert_int_equal(c.groups[0], 10);
	assert_int_equal(c.groups[3], 30);
	assert_true(cred_in_group(&c, 20));
	assert_false(cred_in_group(&c, 25));
	assert_true(cred_in_group(&c, 0)); /* the fsgid */
	assert_int_equal(cred_copy(&d, &c), 0);
	assert_ptr_not_equal(d.groups, c.groups);
	assert_true(cred_in_group(&d, 30));
	assert_int_equal(cred_setgroups(&c, g, NGROUPS_MAX_LINUX + 1), -EINVAL);
	assert_int_equal(cred_setgroups(&c, NULL, 0), 0);
	assert_int_equal(c.ngroups, 0);
	cred_free(&c);
	cred_free(&d);
	srv_end();
}

static void test_exec(void **state)
{
	(void)state;
	struct cred c;
	cred_init_root(&c);
	assert_int_equal(cred_setresuid(&c, 0, 1000, 0), 0);
	c.keepcaps = true;
	assert_true(cred_exec(&c, ID_UNCHANGED, ID_UNCHANGED, false)); /* euid is not ruid: secure */
	assert_int_equal(c.cap_prm, CAP_FULL_SET);                     /* the real uid is root */
	assert_int_equal(c.cap_eff, 0);
	assert_int_equal(c.suid, 1000); /* saved = effective after exec */
	assert_false(c.keepcaps);
	struct cred u = user(1000, 100);
	assert_false(cred_exec(&u, ID_UNCHANGED, ID_UNCHANGED, false));
	assert_int_equal(u.cap_prm, 0);
	srv_end();
}

/* a set-user-ID root file run by a user: effective root with every
 * capability, saved and file-system ids follow; a set-group-ID file; and
 * with no_new_privs neither changes anything */
static void test_exec_setid(void **state)
{
	(void)state;
	struct cred u = user(1000, 100);
	assert_true(cred_exec(&u, 0, ID_UNCHANGED, false));
	assert_int_equal(u.ruid, 1000);
	assert_int_equal(u.euid, 0);
	assert_int_equal(u.suid, 0);
	assert_int_equal(u.fsuid, 0);
	assert_int_equal(u.cap_eff, CAP_FULL_SET);
	struct cred g = user(1000, 100);
	assert_true(cred_exec(&g, ID_UNCHANGED, 50, false));
	assert_int_equal(g.egid, 50);
	assert_int_equal(g.sgid, 50);
	assert_int_equal(g.fsgid, 50);
	assert_int_equal(g.rgid, 100);
	assert_int_equal(g.cap_eff, 0);
	struct cred n = user(1000, 100);
	cred_exec(&n, 0, 50, true);
	assert_int_equal(n.euid, 1000);
	assert_int_equal(n.egid, 100);
	assert_int_equal(n.cap_prm, 0);
	assert_int_equal(n.cap_eff, 0);
	/* a file owned by its runner changes nothing */
	struct cred same = user(1000, 100);
	assert_false(cred_exec(&same, 1000, 100, false));
	srv_end();
}

static void test_may_signal(void **state)
{
	(void)state;
	struct cred a = user(1000, 100), b = user(2000, 100), r;
	cred_init_root(&r);
	assert_false(cred_may_signal(&a, &b));
	assert_true(cred_may_signal(&a, &a));
	assert_true(cred_may_signal(&r, &b)); /* CAP_KILL */
	assert_false(cred_may_signal(&a, &r));
	b.suid = 1000; /* the target's saved uid is ours */
	assert_true(cred_may_signal(&a, &b));
	srv_end();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_root_setuid_drops_everything, srv_begin),
		cmocka_unit_test_setup(test_effective_uid_away_and_back, srv_begin),
		cmocka_unit_test_setup(test_unprivileged_rules, srv_begin),
		cmocka_unit_test_setup(test_setreuid_saved_uid, srv_begin),
		cmocka_unit_test_setup(test_keepcaps, srv_begin),
		cmocka_unit_test_setup(test_fsuid_takes_file_caps, srv_begin),
		cmocka_unit_test_setup(test_groups, srv_begin),
		cmocka_unit_test_setup(test_exec, srv_begin),
	    cmocka_unit_test_setup(test_exec_setid, srv_begin),
		cmocka_unit_test_setup(test_may_signal, srv_begin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
