// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_pktio_spin.c - the adaptive spin budget of the SF receive loop
 * (pktio_spin.h) and the I/O command line switches (--spin-us, --cpu,
 * --cpu-follow).
 */
#include <errno.h>
#include <criterion/criterion.h>

#include "args.h"
#include "pktio_spin.h"

#define US 1000ull
#define MS 1000000ull

Test(sf_spin, starts_at_zero_and_grows_when_a_spin_would_have_won)
{
	struct sf_spin s;

	sf_spin_init(&s, 200 * US);
	cr_assert_eq(sf_spin_budget(&s), 0);
	/* A frame 30 us after the loop went to sleep: a spin would have
	 * caught it. */
	sf_spin_slept(&s, 30 * US, true);
	cr_assert_eq(sf_spin_budget(&s), SF_SPIN_GROW_START_NS);
	sf_spin_slept(&s, 30 * US, true);
	cr_assert_eq(sf_spin_budget(&s), 2 * SF_SPIN_GROW_START_NS);
	sf_spin_slept(&s, 30 * US, true);
	sf_spin_slept(&s, 30 * US, true);
	sf_spin_slept(&s, 30 * US, true);
	cr_assert_eq(sf_spin_budget(&s), 160 * US);
	sf_spin_slept(&s, 190 * US, true);
	cr_assert_eq(sf_spin_budget(&s), 200 * US, "capped at the ceiling");
	cr_assert_eq(s.misses, 5, "every sleep after a spin of > 0 is a miss");
}

Test(sf_spin, a_hit_keeps_the_budget)
{
	struct sf_spin s;

	sf_spin_init(&s, 100 * US);
	sf_spin_slept(&s, 5 * US, true);
	sf_spin_hit(&s, 3 * US);
	sf_spin_hit(&s, 7 * US);
	cr_assert_eq(sf_spin_budget(&s), SF_SPIN_GROW_START_NS);
	cr_assert_eq(s.hits, 2);
	cr_assert_eq(s.spun_ns, 10 * US);
}

Test(sf_spin, late_frames_and_idle_timeouts_shrink_it_to_zero)
{
	struct sf_spin s;
	int n = 0;

	sf_spin_init(&s, 50 * US);
	while (sf_spin_budget(&s) < 50 * US)
		sf_spin_slept(&s, 1 * US, true);
	sf_spin_slept(&s, 51 * US, true); /* beyond the ceiling */
	cr_assert_eq(sf_spin_budget(&s), 50 * US - 50 * US / 8);
	sf_spin_slept(&s, 200 * MS, false); /* the idle tick */
	cr_assert_lt(sf_spin_budget(&s), 50 * US - 50 * US / 8);
	while (sf_spin_budget(&s) && n < 100) {
		sf_spin_slept(&s, 200 * MS, false);
		n++;
	}
	cr_assert_eq(sf_spin_budget(&s), 0, "an idle SF stops spinning");
	/* 50 us shrinking by 1/8 a step stays above 5 us for 17 steps */
	cr_assert_leq(n, 20, "within %d idle ticks", n);
}

Test(sf_spin, a_long_gap_right_after_a_hit_does_not_shrink_it)
{
	struct sf_spin s;

	sf_spin_init(&s, 100 * US);
	sf_spin_slept(&s, 5 * US, true);
	sf_spin_hit(&s, 5 * US);
	sf_spin_slept(&s, 5 * MS, true);
	cr_assert_eq(sf_spin_budget(&s), SF_SPIN_GROW_START_NS);
	sf_spin_slept(&s, 5 * MS, true);
	cr_assert_lt(sf_spin_budget(&s), SF_SPIN_GROW_START_NS);
}

Test(sf_spin, ceiling_zero_never_spins)
{
	struct sf_spin s;
	int i;

	sf_spin_init(&s, 0);
	for (i = 0; i < 10; i++)
		sf_spin_slept(&s, 0, true);
	cr_assert_eq(sf_spin_budget(&s), 0);
	cr_assert_eq(s.misses, 0);
	cr_assert_eq(s.spun_ns, 0);
}

/*
 * Request/response through a chain: after the request the reply comes
 * @short_ns later, after the reply the next request @long_ns later. Return
 * the share of replies caught by a spin, in percent, over 200 exchanges
 * after 20 of warm-up; *spun: ns spun per exchange on average.
 */
static unsigned int req_resp(uint64_t max_ns, uint64_t short_ns,
			     uint64_t long_ns, uint64_t *spun)
{
	struct sf_spin s;
	unsigned int i, caught = 0;
	uint64_t gap, spun0 = 0;

	sf_spin_init(&s, max_ns);
	for (i = 0; i < 2 * 220; i++) {
		gap = i % 2 ? long_ns : short_ns;
		if (i == 2 * 20)
			spun0 = s.spun_ns;
		if (gap <= sf_spin_budget(&s)) {
			sf_spin_hit(&s, gap);
			caught += i >= 2 * 20 && !(i % 2);
		} else {
			sf_spin_slept(&s, gap, true);
		}
	}
	*spun = (s.spun_ns - spun0) / 200;
	return caught * 100 / 200;
}

Test(sf_spin, a_request_response_pattern_keeps_catching_replies)
{
	uint64_t spun;
	unsigned int pct;

	/* The reply 40 us after the request, the next request 5 ms later:
	 * the long gaps must not undo what the short ones taught. */
	pct = req_resp(50 * US, 40 * US, 5 * MS, &spun);
	cr_assert_geq(pct, 75, "caught %u%% of the replies", pct);
	/* The cost of one exchange: the wait for the reply plus at most one
	 * budget wasted in the long gap. */
	cr_assert_leq(spun, 40 * US + 50 * US, "spun %lu ns", (unsigned long)spun);
	/* Replies later than the ceiling: spinning cannot win, and stops. */
	pct = req_resp(50 * US, 80 * US, 5 * MS, &spun);
	cr_assert_eq(pct, 0);
	cr_assert_leq(spun, 1 * US, "spun %lu ns", (unsigned long)spun);
}

static int parse(struct sf_args *a, char *opt, char *err, size_t len)
{
	char prog[] = "sf-test";
	char *argv[] = { prog, opt, NULL };

	return sf_args_parse(a, opt ? 2 : 1, argv, err, len);
}

Test(sf_spin, spin_us_switch)
{
	struct sf_args a;
	char err[128], o0[] = "--spin-us=0", o200[] = "--spin-us=200",
	     obig[] = "--spin-us=1001", oneg[] = "--spin-us=-1",
	     ojunk[] = "--spin-us=5us";

	cr_assert_eq(parse(&a, NULL, err, sizeof(err)), 0);
	cr_assert_eq(a.spin_us, SF_ARGS_SPIN_US);
	cr_assert_eq(a.rx_mode, SF_PKTIO_MMSG);
	cr_assert_eq(parse(&a, o0, err, sizeof(err)), 0);
	cr_assert_eq(a.spin_us, 0);
	cr_assert_eq(parse(&a, o200, err, sizeof(err)), 0);
	cr_assert_eq(a.spin_us, 200);
	cr_assert_eq(parse(&a, obig, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "--spin-us: expected 0..1000 (us)");
	cr_assert_eq(parse(&a, oneg, err, sizeof(err)), -EINVAL);
	cr_assert_eq(parse(&a, ojunk, err, sizeof(err)), -EINVAL);
}

Test(sf_spin, cpu_switch)
{
	struct sf_args a;
	char err[128], o1[] = "--cpu=1", olist[] = "--cpu=0,2-3,7",
	     obad[][16] = { "--cpu=", "--cpu=1,", "--cpu=3-1", "--cpu=-1",
			    "--cpu=1x", "--cpu=1024", "--cpu=0-", "--cpu=+1" };
	size_t i;

	cr_assert_eq(parse(&a, NULL, err, sizeof(err)), 0);
	cr_assert_not(a.pin, "no pinning unless asked");
	cr_assert_eq(parse(&a, o1, err, sizeof(err)), 0);
	cr_assert(a.pin);
	cr_assert_eq(CPU_COUNT(&a.cpus), 1);
	cr_assert(CPU_ISSET(1, &a.cpus));
	cr_assert_eq(parse(&a, olist, err, sizeof(err)), 0);
	cr_assert_eq(CPU_COUNT(&a.cpus), 4);
	cr_assert(CPU_ISSET(0, &a.cpus) && CPU_ISSET(2, &a.cpus) &&
		  CPU_ISSET(3, &a.cpus) && CPU_ISSET(7, &a.cpus));
	for (i = 0; i < sizeof(obad) / sizeof(obad[0]); i++)
		cr_assert_eq(parse(&a, obad[i], err, sizeof(err)), -EINVAL,
			     "%s accepted", obad[i]);
}

Test(sf_spin, cpu_follow_switch)
{
	struct sf_args a;
	char err[128], on[] = "--cpu-follow=on", off[] = "--cpu-follow=off",
	     bad[] = "--cpu-follow=yes";

	cr_assert_eq(parse(&a, NULL, err, sizeof(err)), 0);
	cr_assert(a.cpu_follow, "on by default");
	cr_assert_eq(parse(&a, off, err, sizeof(err)), 0);
	cr_assert_not(a.cpu_follow);
	cr_assert_eq(parse(&a, on, err, sizeof(err)), 0);
	cr_assert(a.cpu_follow);
	cr_assert_eq(parse(&a, bad, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "--cpu-follow: expected on or off");
}
