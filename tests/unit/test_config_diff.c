/* Unit tests for config_diff: what a reload keeps, restarts, adds, removes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "testutil.h"

/* Hop b is reached through a; each tunnel goes through its own hop. */
static const char test_base[] =
    "[jumpgate]\n"
    "log_level = info\n"
    "[tunnel tb]\n"
    "listen = 10002\n"
    "connect = db:5432\n"
    "via = b\n"
    "[hop b]\n"
    "host = b.internal\n"
    "user = u\n"
    "host_key_policy = insecure\n"
    "via = a\n"
    "[hop a]\n"
    "host = a.example.com\n"
    "user = u\n"
    "host_key_policy = insecure\n"
    "[hop c]\n"
    "host = c.example.com\n"
    "user = u\n"
    "host_key_policy = insecure\n"
    "[tunnel ta]\n"
    "listen = 10001\n"
    "connect = db:5432\n"
    "via = a\n"
    "[tunnel tc]\n"
    "listen = 10003\n"
    "connect = db:5432\n"
    "via = c\n";

static struct config		*test_old, *test_new;
static struct config_diff	*test_d;

/* Make the directory config files go into. */
static int
test_setup(void **state)
{
	(void)state;
	return testutil_dir_create("diff");
}

/* Remove it. */
static int
test_teardown(void **state)
{
	(void)state;
	return testutil_dir_remove();
}

/* Free what the last test_diff made. */
static int
test_clean(void **state)
{
	(void)state;
	config_diff_free(test_d);
	config_free(test_old);
	config_free(test_new);
	test_d = NULL;
	test_old = test_new = NULL;
	return 0;
}

/* Load TEXT, which must be valid. */
static struct config *
test_load(const char *text)
{
	struct config	*config;

	config = config_load(testutil_file("%s", text), stderr, NULL);
	assert_non_null(config);
	return config;
}

/* Replace the first FROM in TEXT (freed) by TO. Caller frees. */
static char *
test_replace(char *text, const char *from, const char *to)
{
	char	*next, *at;

	at = strstr(text, from);
	assert_non_null(at);
	next = malloc(strlen(text) - strlen(from) + strlen(to) + 1);
	assert_non_null(next);
	sprintf(next, "%.*s%s%s", (int)(at - text), text, to,
	    at + strlen(from));
	free(text);
	return next;
}

/* The base with up to two edits (FROM NULL: none). Caller frees. */
static char *
test_edit(const char *from, const char *to, const char *from2,
    const char *to2)
{
	char	*text;

	text = strdup(test_base);
	assert_non_null(text);
	if (from != NULL)
		text = test_replace(text, from, to);
	if (from2 != NULL)
		text = test_replace(text, from2, to2);
	return text;
}

/* Diff the base against the base edited as test_edit says. */
static void
test_diff(const char *from, const char *to, const char *from2,
    const char *to2)
{
	char	*text;

	text = test_edit(from, to, from2, to2);
	test_old = test_load(test_base);
	test_new = test_load(text);
	free(text);
	test_d = config_diff(test_old, test_new);
	assert_non_null(test_d);
}

/* Find the tunnel of CONFIG called NAME; NULL if none. */
static const struct config_tunnel *
test_tunnel(const struct config *config, const char *name)
{
	const struct config_tunnel	*t;

	TAILQ_FOREACH(t, &config->tunnels, entry) {
		if (strcmp(t->name, name) == 0)
			return t;
	}
	return NULL;
}

/* Check what becomes of hop NAME, and that its entry pairs the right hops. */
static void
test_hop(const char *name, enum config_action action)
{
	const struct config_hop		*old, *new;
	const struct config_diff_hop	*e;

	old = config_find_hop(test_old, name);
	new = config_find_hop(test_new, name);
	e = config_diff_hop(test_d, old != NULL ? old : new);
	assert_non_null(e);
	if (e->action != action)
		fail_msg("hop %s: action %d, expected %d", name, e->action,
		    action);
	assert_ptr_equal(e->old, old);
	assert_ptr_equal(e->new, new);
	if (old != NULL && new != NULL)
		assert_ptr_equal(config_diff_hop(test_d, new), e);
}

/* Check what becomes of tunnel NAME. */
static void
test_tun(const char *name, enum config_action action)
{
	const struct config_tunnel	*old, *new;
	const struct config_diff_tunnel	*e;

	old = test_tunnel(test_old, name);
	new = test_tunnel(test_new, name);
	e = config_diff_tunnel(test_d, old != NULL ? old : new);
	assert_non_null(e);
	if (e->action != action)
		fail_msg("tunnel %s: action %d, expected %d", name, e->action,
		    action);
	assert_ptr_equal(e->old, old);
	assert_ptr_equal(e->new, new);
	if (old != NULL && new != NULL)
		assert_ptr_equal(config_diff_tunnel(test_d, new), e);
}

/* Check the counts: kept, changed, added, removed. */
static void
test_counts(int hk, int hc, int ha, int hr, int tk, int tc, int ta, int tr)
{
	const int	*h = test_d->hop_count, *t = test_d->tunnel_count;

	if (h[CONFIG_KEEP] != hk || h[CONFIG_CHANGE] != hc ||
	    h[CONFIG_ADD] != ha || h[CONFIG_REMOVE] != hr ||
	    t[CONFIG_KEEP] != tk || t[CONFIG_CHANGE] != tc ||
	    t[CONFIG_ADD] != ta || t[CONFIG_REMOVE] != tr) {
		fail_msg("hops %d kept, %d changed, %d added, %d removed; "
		    "tunnels %d kept, %d changed, %d added, %d removed",
		    h[CONFIG_KEEP], h[CONFIG_CHANGE], h[CONFIG_ADD],
		    h[CONFIG_REMOVE], t[CONFIG_KEEP], t[CONFIG_CHANGE],
		    t[CONFIG_ADD], t[CONFIG_REMOVE]);
	}
	assert_int_equal(test_d->nhops, (size_t)(hk + hc + ha + hr));
	assert_int_equal(test_d->ntunnels, (size_t)(tk + tc + ta + tr));
}

/* The same file: everything kept, entries in the file's order. */
static void
test_unchanged(void **state)
{
	(void)state;
	test_diff(NULL, NULL, NULL, NULL);
	test_counts(3, 0, 0, 0, 3, 0, 0, 0);
	test_hop("a", CONFIG_KEEP);
	test_hop("b", CONFIG_KEEP);
	test_hop("c", CONFIG_KEEP);
	test_tun("ta", CONFIG_KEEP);
	test_tun("tb", CONFIG_KEEP);
	test_tun("tc", CONFIG_KEEP);
	assert_int_equal(test_d->globals, 0);
	/* b comes before a in the file, though a is decided first. */
	assert_string_equal(test_d->hops[0].old->name, "b");
	assert_string_equal(test_d->hops[1].old->name, "a");
	assert_string_equal(test_d->hops[2].old->name, "c");
	assert_string_equal(test_d->tunnels[0].old->name, "tb");
}

/*
 * A changed hop restarts, and with it the hops reached through it and the
 * tunnels of both; the rest is kept.
 */
static void
test_hop_changed(void **state)
{
	(void)state;
	test_diff("host = a.example.com", "host = a2.example.com", NULL, NULL);
	test_counts(1, 2, 0, 0, 1, 2, 0, 0);
	test_hop("a", CONFIG_CHANGE);
	test_hop("b", CONFIG_CHANGE);
	test_hop("c", CONFIG_KEEP);
	test_tun("ta", CONFIG_CHANGE);
	test_tun("tb", CONFIG_CHANGE);
	test_tun("tc", CONFIG_KEEP);
}

/* An inner hop's change leaves its outer hop and that hop's tunnel alone. */
static void
test_inner_hop_changed(void **state)
{
	(void)state;
	test_diff("host = b.internal", "host = b2.internal", NULL, NULL);
	test_counts(2, 1, 0, 0, 2, 1, 0, 0);
	test_hop("a", CONFIG_KEEP);
	test_hop("b", CONFIG_CHANGE);
	test_tun("ta", CONFIG_KEEP);
	test_tun("tb", CONFIG_CHANGE);
}

/* A hop and a tunnel left out are removed; the others are kept. */
static void
test_removed(void **state)
{
	(void)state;
	test_diff("[hop c]\nhost = c.example.com\nuser = u\n"
	    "host_key_policy = insecure\n", "",
	    "[tunnel tc]\nlisten = 10003\nconnect = db:5432\nvia = c\n", "");
	test_counts(2, 0, 0, 1, 2, 0, 0, 1);
	test_hop("c", CONFIG_REMOVE);
	test_tun("tc", CONFIG_REMOVE);
	test_hop("a", CONFIG_KEEP);
	test_tun("ta", CONFIG_KEEP);
}

/* A new hop and tunnel are added, after the old entries. */
static void
test_added(void **state)
{
	(void)state;
	test_diff("[hop c]", "[hop d]\nhost = d.example.com\nuser = u\n"
	    "host_key_policy = insecure\n[tunnel td]\nlisten = 10004\n"
	    "connect = db:5432\nvia = d\n[hop c]", NULL, NULL);
	test_counts(3, 0, 1, 0, 3, 0, 1, 0);
	test_hop("d", CONFIG_ADD);
	test_tun("td", CONFIG_ADD);
	assert_null(test_d->hops[3].old);
	assert_string_equal(test_d->hops[3].new->name, "d");
	assert_string_equal(test_d->tunnels[3].new->name, "td");
}

/*
 * A renamed hop is one removed and one added; what went through it names
 * another hop now, so it changes.
 */
static void
test_hop_renamed(void **state)
{
	(void)state;
	test_diff("[hop c]", "[hop c2]", "via = c\n", "via = c2\n");
	test_counts(2, 0, 1, 1, 2, 1, 0, 0);
	test_hop("c", CONFIG_REMOVE);
	test_hop("c2", CONFIG_ADD);
	test_tun("tc", CONFIG_CHANGE);
}

/* A renamed tunnel is one removed and one added. */
static void
test_tunnel_renamed(void **state)
{
	(void)state;
	test_diff("[tunnel tc]", "[tunnel tc2]", NULL, NULL);
	test_counts(3, 0, 0, 0, 2, 0, 1, 1);
	test_tun("tc", CONFIG_REMOVE);
	test_tun("tc2", CONFIG_ADD);
}

/*
 * A tunnel's own change restarts only it; a change of its limits alone
 * keeps it (the kept tunnel takes the new limits), its hop kept either way.
 */
static void
test_tunnel_changed(void **state)
{
	(void)state;
	test_diff("listen = 10003", "listen = 10013", NULL, NULL);
	test_counts(3, 0, 0, 0, 2, 1, 0, 0);
	test_tun("tc", CONFIG_CHANGE);
	test_hop("c", CONFIG_KEEP);
	test_clean(NULL);

	test_diff("via = c\n", "via = c\nmax_connections = 10\n"
	    "client_idle_timeout = 60\n", NULL, NULL);
	test_counts(3, 0, 0, 0, 3, 0, 0, 0);
	test_tun("tc", CONFIG_KEEP);
	assert_int_equal(config_diff_tunnel(test_d,
	    test_tunnel(test_old, "tc"))->new->max_connections, 10);
	test_clean(NULL);

	test_diff("via = c\n", "via = a\n", NULL, NULL);
	test_counts(3, 0, 0, 0, 2, 1, 0, 0);
	test_tun("tc", CONFIG_CHANGE);
}

/*
 * A SOCKS tunnel: a changed allow-list keeps it (the kept tunnel checks
 * new requests against the new list); a change of type restarts it.
 */
static void
test_socks_allow_changed(void **state)
{
	const char	*socks = "[tunnel tc]\nlisten = 10003\ntype = socks\n"
			    "allow = db:5432\nvia = c\n";
	const char	*socks2 = "[tunnel tc]\nlisten = 10003\ntype = socks\n"
			    "allow = db:5432, *.internal:443\nvia = c\n";
	char		*old_text, *new_text;

	(void)state;
	old_text = test_edit("[tunnel tc]\nlisten = 10003\nconnect = db:5432\n"
	    "via = c\n", socks, NULL, NULL);
	new_text = test_edit("[tunnel tc]\nlisten = 10003\nconnect = db:5432\n"
	    "via = c\n", socks2, NULL, NULL);
	test_old = test_load(old_text);
	test_new = test_load(new_text);
	test_d = config_diff(test_old, test_new);
	test_counts(3, 0, 0, 0, 3, 0, 0, 0);
	test_tun("tc", CONFIG_KEEP);
	assert_string_equal(config_diff_tunnel(test_d,
	    test_tunnel(test_old, "tc"))->new->allow,
	    "db:5432, *.internal:443");
	test_clean(NULL);

	/* local -> socks: another kind of tunnel, started again. */
	test_old = test_load(test_base);
	test_new = test_load(new_text);
	test_d = config_diff(test_old, test_new);
	test_counts(3, 0, 0, 0, 2, 1, 0, 0);
	test_tun("tc", CONFIG_CHANGE);
	free(old_text);
	free(new_text);
}

/* [jumpgate] settings are reported; hops and tunnels stay. */
static void
test_globals(void **state)
{
	(void)state;
	test_diff("log_level = info\n", "log_level = debug\n"
	    "shutdown_timeout = 30\n", NULL, NULL);
	test_counts(3, 0, 0, 0, 3, 0, 0, 0);
	assert_int_equal(test_d->globals,
	    CONFIG_DIFF_LOG_LEVEL | CONFIG_DIFF_SHUTDOWN_TIMEOUT);
	test_clean(NULL);

	/* The default written out is no change. */
	test_diff("log_level = info\n", "shutdown_timeout = 5\n", NULL, NULL);
	assert_int_equal(test_d->globals, 0);
	test_clean(NULL);

	test_diff("log_level = info\n", "control_socket = s.sock\n"
	    "pidfile = p.pid\n", NULL, NULL);
	assert_int_equal(test_d->globals,
	    CONFIG_DIFF_CONTROL_SOCKET | CONFIG_DIFF_PIDFILE);
	test_counts(3, 0, 0, 0, 3, 0, 0, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_unchanged, test_clean),
		cmocka_unit_test_teardown(test_hop_changed, test_clean),
		cmocka_unit_test_teardown(test_inner_hop_changed, test_clean),
		cmocka_unit_test_teardown(test_removed, test_clean),
		cmocka_unit_test_teardown(test_added, test_clean),
		cmocka_unit_test_teardown(test_hop_renamed, test_clean),
		cmocka_unit_test_teardown(test_tunnel_renamed, test_clean),
		cmocka_unit_test_teardown(test_tunnel_changed, test_clean),
		cmocka_unit_test_teardown(test_globals, test_clean),
		cmocka_unit_test_teardown(test_socks_allow_changed, test_clean),
	};

	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
