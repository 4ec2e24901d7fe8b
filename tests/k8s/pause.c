// SPDX-License-Identifier: GPL-2.0-only
/*
 * pause - the sandbox ("infra") container process of the tests/k8s node.
 *
 * Debian has no pause image, so build-images.sh links this statically into
 * a one-file image that containerd's CRI runs as every pod's sandbox. It
 * holds the pod's namespaces, reaps children it inherits (it is PID 1 of a
 * pod that shares its PID namespace) and exits 0 on SIGINT or SIGTERM, as
 * registry.k8s.io/pause does.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_stop(int sig)
{
	(void)sig;
	_exit(0);
}

static void on_child(int sig)
{
	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

int main(void)
{
	struct sigaction stop = { .sa_handler = on_stop };
	struct sigaction child = { .sa_handler = on_child, .sa_flags = SA_NOCLDSTOP };

	if (sigaction(SIGINT, &stop, NULL) || sigaction(SIGTERM, &stop, NULL) ||
	    sigaction(SIGCHLD, &child, NULL))
		return 1;
	for (;;)
		pause();
}
