// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_sf_pktio_follow.c - following the flow's CPU (pktio_follow.h): the
 * window's verdicts (majority, busy, contended, back-off), what counts as
 * a vote, and the receive loop on a real packet
 * socket in a private netns moving its thread to the CPU its frames'
 * marks name (SO_RCVMARK), then back to every CPU when the marks disagree.
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <criterion/criterion.h>

#include "pktio.h"
#include "stats.h"
#include "pktio_follow.h"
#include "sfc_common.h"
#include "test_sf_util.h"

#define MS 1000000ull
#define W SF_FOLLOW_WINDOW_NS

static cpu_set_t cpus(int a, int b)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(a, &s);
	CPU_SET(b, &s);
	return s;
}

static void votes(struct sf_follow *f, int cpu, int n)
{
	while (n--)
		sf_follow_vote(f, SFC_MARK_SF_CPU(cpu));
}

/* One window of @n frames from @cpu, @run_ms running and @wait_ms
 * waiting; applies the verdict. Return: it. */
static int window(struct sf_follow *f, uint64_t *t, int cpu, int n,
		  uint64_t run_ms, uint64_t wait_ms)
{
	static uint64_t run, wait;
	int v;

	votes(f, cpu, n);
	*t += W;
	run += run_ms * MS;
	wait += wait_ms * MS;
	cr_assert(sf_follow_due(f, *t));
	v = sf_follow_decide(f, *t, run, wait);
	if (v >= -1)
		sf_follow_applied(f, v, true);
	return v;
}

Test(sf_follow, pins_where_three_quarters_of_the_frames_come_from)
{
	cpu_set_t all = cpus(1, 2);
	struct sf_follow f;
	uint64_t t = 0;

	sf_follow_init(&f, true, &all, t, 0, 0);
	cr_assert(f.on);
	cr_assert_not(sf_follow_due(&f, W), "no frames, no window");
	votes(&f, 1, 2);
	cr_assert_eq(window(&f, &t, 2, 6, 1, 0), 2);
	cr_assert_eq(f.pinned, 2);
	cr_assert_eq(window(&f, &t, 2, 8, 1, 0), -2, "already there");
	cr_assert_eq(f.pins, 1);
}

Test(sf_follow, a_client_that_moves_on_is_not_chased)
{
	cpu_set_t all = cpus(1, 2);
	struct sf_follow f;
	uint64_t t = 0;
	int i;

	sf_follow_init(&f, true, &all, t, 0, 0);
	cr_assert_eq(window(&f, &t, 2, 8, 1, 0), 2);
	/* The client moved: back to every CPU, a window without pins. */
	cr_assert_eq(window(&f, &t, 1, 8, 1, 0), -1, "left");
	cr_assert_eq(f.left, 1);
	cr_assert_eq(window(&f, &t, 1, 8, 1, 0), -2, "backing off");
	cr_assert_eq(window(&f, &t, 1, 8, 1, 0), 1, "then follows");
	/* It moves on again: two windows of back-off now. */
	cr_assert_eq(window(&f, &t, 2, 8, 1, 0), -1);
	for (i = 0; i < 2; i++)
		cr_assert_eq(window(&f, &t, 2, 8, 1, 0), -2);
	cr_assert_eq(window(&f, &t, 2, 8, 1, 0), 2);
	/* Staying a window resets the back-off. */
	cr_assert_eq(window(&f, &t, 2, 8, 1, 0), -2);
	cr_assert_eq(window(&f, &t, 1, 8, 1, 0), -1);
	cr_assert_eq(window(&f, &t, 1, 8, 1, 0), -2);
	cr_assert_eq(window(&f, &t, 1, 8, 1, 0), 1);
	cr_assert_eq(f.left, 3);
	/* Frames from everywhere while pinned: left too. */
	votes(&f, 2, 4);
	cr_assert_eq(window(&f, &t, 1, 4, 1, 0), -1);
	cr_assert_eq(f.left, 4);
}

Test(sf_follow, two_frames_in_a_row_from_elsewhere_unpin_at_once)
{
	cpu_set_t all = cpus(1, 2);
	struct sf_follow f;
	uint64_t t = 0;

	sf_follow_init(&f, true, &all, t, 0, 0);
	cr_assert_eq(sf_follow_batch_end(&f), -2, "not pinned");
	cr_assert_eq(window(&f, &t, 2, 8, 1, 0), 2);
	votes(&f, 1, 1);
	cr_assert_eq(sf_follow_batch_end(&f), -2, "one frame is no evidence");
	votes(&f, 2, 1);
	votes(&f, 1, 1);
	cr_assert_eq(sf_follow_batch_end(&f), -2, "not in a row");
	votes(&f, 1, 1);
	cr_assert_eq(sf_follow_batch_end(&f), -1, "left");
	sf_follow_applied(&f, -1, true);
	cr_assert_eq(f.left, 1);
	cr_assert_eq(f.backoff, 1);
	cr_assert_eq(sf_follow_batch_end(&f), -2, "once");
}

Test(sf_follow, no_majority_or_a_cpu_not_allowed_means_every_cpu)
{
	cpu_set_t all = cpus(0, 1);
	struct sf_follow f;
	uint64_t t = 0;

	sf_follow_init(&f, true, &all, t, 0, 0);
	votes(&f, 0, 4);
	cr_assert_eq(window(&f, &t, 1, 4, 1, 0), -2, "half and half");
	cr_assert_eq(f.pinned, -1);
	cr_assert_eq(window(&f, &t, 5, 8, 1, 0), -2, "CPU 5 is not ours");
	cr_assert_eq(f.pinned, -1);
	cr_assert_eq(f.pins, 0);
}

Test(sf_follow, a_window_with_few_frames_changes_nothing)
{
	cpu_set_t all = cpus(0, 1);
	struct sf_follow f;
	uint64_t t = 0;

	sf_follow_init(&f, true, &all, t, 0, 0);
	cr_assert_eq(window(&f, &t, 1, SF_FOLLOW_MIN_FRAMES - 1, 0, 0), -2);
	cr_assert_eq(f.pinned, -1);
	cr_assert_eq(f.frames, 0, "a new window started");
}

Test(sf_follow, busy_retreats_and_backs_off_longer_each_time)
{
	cpu_set_t all = cpus(0, 1);
	struct sf_follow f;
	uint64_t t = 0;
	int i;

	sf_follow_init(&f, true, &all, t, 0, 0);
	cr_assert_eq(window(&f, &t, 1, 8, 1, 0), 1);
	/* Running 6 of 10 ms: a throughput hop. */
	cr_assert_eq(window(&f, &t, 1, 8, 6, 0), -1);
	cr_assert_eq(f.busy, 1);
	cr_assert_eq(window(&f, &t, 1, 8, 1, 0), -2, "backing off 1 window");
	cr_assert_eq(window(&f, &t, 1, 8, 1, 0), 1);
	cr_assert_eq(window(&f, &t, 1, 8, 6, 0), -1);
	for (i = 0; i < 2; i++)
		cr_assert_eq(window(&f, &t, 1, 8, 1, 0), -2, "2 windows now");
	cr_assert_eq(window(&f, &t, 1, 8, 1, 0), 1);
	/* A calm pinned window resets the back-off to 1. */
	cr_assert_eq(window(&f, &t, 1, 8, 1, 0), -2);
	cr_assert_eq(window(&f, &t, 1, 8, 6, 0), -1);
	cr_assert_eq(window(&f, &t, 1, 8, 1, 0), -2);
	cr_assert_eq(window(&f, &t, 1, 8, 1, 0), 1);
	cr_assert_eq(f.busy, 3);
}

Test(sf_follow, busy_unpinned_stays_put_without_back_off)
{
	cpu_set_t all = cpus(0, 1);
	struct sf_follow f;
	uint64_t t = 0;
	int i;

	sf_follow_init(&f, true, &all, t, 0, 0);
	for (i = 0; i < 10; i++)
		cr_assert_eq(window(&f, &t, 1, 8, 9, 0), -2, "busy: no pin");
	cr_assert_eq(f.busy, 0, "no retreat: nothing to retreat from");
	cr_assert_eq(window(&f, &t, 1, 8, 1, 0), 1, "follows right after");
}

Test(sf_follow, run_queue_wait_counts_only_when_pinned)
{
	cpu_set_t all = cpus(0, 1);
	struct sf_follow f;
	uint64_t t = 0;

	sf_follow_init(&f, true, &all, t, 0, 0);
	/* Waiting unpinned is the node's load, not ours: pin. */
	cr_assert_eq(window(&f, &t, 0, 8, 1, 5), 0);
	/* Pinned and waiting 2 of 10 ms behind other work: retreat. */
	cr_assert_eq(window(&f, &t, 0, 8, 1, 2), -1);
	cr_assert_eq(f.contended, 1);
	cr_assert_eq(f.busy, 0);
}

Test(sf_follow, marks_that_are_not_a_cpu_are_no_votes)
{
	cpu_set_t all = cpus(0, 1);
	struct sf_follow f;

	sf_follow_init(&f, true, &all, 0, 0, 0);
	sf_follow_vote(&f, 0);
	sf_follow_vote(&f, SFC_MARK_CTRL);
	sf_follow_vote(&f, SFC_MARK_DECAP | 1);
	sf_follow_vote(&f, 0x12345678);
	if (SF_FOLLOW_MAX_CPUS <= SFC_MARK_SF_CPU_MASK)
		sf_follow_vote(&f, SFC_MARK_SF_CPU(SF_FOLLOW_MAX_CPUS));
	cr_assert_eq(f.frames, 0);
	sf_follow_vote(&f, SFC_MARK_SF_CPU(1));
	cr_assert_eq(f.frames, 1);
	cr_assert_eq(f.votes[1], 1);
}

Test(sf_follow, off_when_asked_or_with_one_cpu)
{
	cpu_set_t two = cpus(0, 1), one = cpus(3, 3);
	struct sf_follow f;

	sf_follow_init(&f, false, &two, 0, 0, 0);
	cr_assert_not(f.on);
	votes(&f, 1, 8);
	cr_assert_not(sf_follow_due(&f, W));
	cr_assert_eq(sf_follow_decide(&f, W, 0, 0), -2);
	sf_follow_init(&f, true, &one, 0, 0, 0);
	cr_assert_not(f.on, "nowhere to move");
}

/* The loop on lo: a second packet socket sends NSH frames marked with a
 * CPU (SO_MARK, as the SFF's skb->mark), the loop's tick checks where the
 * thread may run. */
struct floop {
	struct sf_pktio io;
	volatile sig_atomic_t stop;
	int tx, ifindex, phase, cpu[2];
	unsigned int sent;
	uint64_t t_end, t_sent;
	uint8_t frame[60];
};

static enum sf_verdict drop(void *arg, struct sf_frame *f)
{
	return SF_VERDICT_DROP;
}

static int send_marked(struct floop *l, int cpu)
{
	uint32_t mark = SFC_MARK_SF_CPU(cpu);
	struct sockaddr_ll to = { .sll_family = AF_PACKET,
				  .sll_ifindex = l->ifindex, .sll_halen = 6 };

	if (setsockopt(l->tx, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)))
		return -1;
	return sendto(l->tx, l->frame, sizeof(l->frame), 0,
		      (struct sockaddr *)&to, sizeof(to)) < 0 ? -1 : 0;
}

/* Only the CPU @cpu (>= 0), or every CPU of @all (-1). */
static bool affinity_is(int cpu, const cpu_set_t *all)
{
	cpu_set_t s;

	if (sched_getaffinity(0, sizeof(s), &s))
		return false;
	if (cpu < 0)
		return CPU_EQUAL(&s, all);
	return CPU_COUNT(&s) == 1 && CPU_ISSET(cpu, &s);
}

/* Phases: 0 frames from cpu[1] until pinned there; 1 from cpu[0] until
 * pinned there; 2 from both in turn until every CPU is allowed again. */
static void ftick(void *arg)
{
	struct floop *l = arg;
	int want = l->phase < 2 ? l->cpu[1 - l->phase] : -1;
	unsigned int i;

	if (sf_now_ms() > l->t_end) {
		l->stop = 1;
		return;
	}
	if (affinity_is(want, &l->io.follow.allowed)) {
		if (++l->phase == 3)
			l->stop = 1;
		return;
	}
	/* A few frames a tick (the idle tick comes every few ms), not a
	 * flood: a busy SF would not follow. */
	if (sf_now_ms() == l->t_sent)
		return;
	l->t_sent = sf_now_ms();
	for (i = 0; i < SF_FOLLOW_MIN_FRAMES; i++)
		if (!send_marked(l, want >= 0 ? want : l->cpu[l->sent % 2]))
			l->sent++;
}

static int child_follow(void)
{
	struct sf_pktio_opts o;
	struct floop l;
	cpu_set_t s;
	int i, k = 0;

	if (tsf_netns_lo())
		return 100;
	memset(&l, 0, sizeof(l));
	if (sched_getaffinity(0, sizeof(s), &s))
		return 101;
	for (i = 0; i < CPU_SETSIZE && k < 2; i++)
		if (CPU_ISSET(i, &s))
			l.cpu[k++] = i;
	l.ifindex = (int)if_nametoindex("lo");
	l.tx = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (l.tx < 0 || !l.ifindex)
		return 102;
	memset(l.frame, 0xAB, sizeof(l.frame));
	l.frame[12] = SFC_ETH_P_NSH >> 8;
	l.frame[13] = SFC_ETH_P_NSH & 0xFF;
	sf_pktio_opts_default(&o);
	o.mode = SF_PKTIO_MMSG;
	o.cpu_follow = true;
	o.poll_ms = 1; /* tick often: it is the sender */
	if (sf_pktio_open(&l.io, "lo", &o))
		return 104;
	if (!l.io.follow.on)
		return 105;
	l.io.stop = &l.stop;
	l.io.tick = ftick;
	l.io.tick_ctx = &l;
	l.t_end = sf_now_ms() + 5000;
	if (sf_pktio_run(&l.io, drop, &l))
		return 106;
	if (l.phase != 3)
		return 110 + l.phase; /* which move did not happen */
	/* A window astride a change of marks has no majority: it may add an
	 * unpin (and the pin after it). */
	if (l.io.follow.pins < 2 || l.io.follow.unpins < 1 || l.io.follow.busy)
		return 120;
	sf_pktio_close(&l.io);
	return 0;
}

Test(sf_follow, loop_moves_to_the_marked_cpu_and_back)
{
	cpu_set_t s;
	int st;

	if (geteuid() != 0)
		cr_skip_test("needs root for a network namespace and a packet socket");
	cr_assert_eq(sched_getaffinity(0, sizeof(s), &s), 0);
	if (CPU_COUNT(&s) < 2)
		cr_skip_test("needs two CPUs");
	st = tsf_run_child(child_follow);
	cr_assert(WIFEXITED(st), "child killed by signal %d", WTERMSIG(st));
	cr_assert_eq(WEXITSTATUS(st), 0, "child check %d failed",
		     WEXITSTATUS(st));
}
