// SPDX-License-Identifier: GPL-2.0
/*
 * zdispl-lab-unit: run a service from its systemd unit file the way
 * systemd starts and stops it, for a lab dom0 whose PID 1 is not systemd.
 *
 *   zdispl-lab-unit [-t SECONDS] [-j] UNIT-FILE
 *
 * What it honours of the unit, and nothing else:
 *   [Unit]     ConditionPathExists= (each; '!' negates): one that fails
 *              skips the service (exit 3), as systemd skips the unit.
 *   [Service]  Type= notify or simple; ExecStartPre= (each in turn, a
 *              leading '-' lets it fail); ExecStart= (one). Command lines
 *              are split at blanks: quoting is refused.
 * The service runs in a session of its own, stdin /dev/null, with
 * NOTIFY_SOCKET set for Type=notify. With -j its stdout and stderr are a
 * stream to the journal (/run/systemd/journal/stdout, as systemd connects
 * them, with JOURNAL_STREAM set); without, they are this program's.
 *
 * It prints one line per event on stdout:
 *   pre CMD status=N           an ExecStartPre= ran
 *   notify MESSAGE             the service said MESSAGE (READY=1, ...)
 *   ready pid=N                started: READY=1 came (notify), or it was
 *                              forked (simple)
 *   failed: WHY                it did not start (exit 1)
 *   exited status=N|signal=N   it ended (exit 0 once it did)
 * SIGTERM or SIGINT to this program stops the service as `systemctl stop`
 * does: SIGTERM to it, SIGKILL after the timeout (default 90 s, systemd's
 * TimeoutStartSec= and TimeoutStopSec= default). The start waits as long.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PRE 8
#define MAX_ARGS 32
#define NOTIFY_DIR "/run/zdispl-lab-unit"
#define JOURNAL_STDOUT "/run/systemd/journal/stdout"

struct unit {
	char *conditions[MAX_PRE];
	unsigned int nconditions;
	char *pre[MAX_PRE];
	unsigned int npre;
	char *start;
	bool notify;
};

static char *trim(char *s)
{
	char *e = s + strlen(s);

	while (*s == ' ' || *s == '\t')
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int parse_unit(const char *path, struct unit *u)
{
	char line[1024], section[32] = "";
	FILE *f = fopen(path, "r");

	if (!f) {
		printf("failed: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *l = trim(line), *eq, *v;

		if (!*l || *l == '#' || *l == ';')
			continue;
		if (*l == '[') {
			snprintf(section, sizeof(section), "%s", l);
			continue;
		}
		eq = strchr(l, '=');
		if (!eq)
			continue;
		*eq = '\0';
		v = strdup(trim(eq + 1));
		if (!v)
			break;
		l = trim(l);
		if (!strcmp(section, "[Unit]") && !strcmp(l, "ConditionPathExists") &&
		    u->nconditions < MAX_PRE)
			u->conditions[u->nconditions++] = v;
		else if (!strcmp(section, "[Service]") && !strcmp(l, "ExecStartPre") &&
			 u->npre < MAX_PRE)
			u->pre[u->npre++] = v;
		else if (!strcmp(section, "[Service]") && !strcmp(l, "ExecStart"))
			free(u->start), u->start = v;
		else if (!strcmp(section, "[Service]") && !strcmp(l, "Type"))
			u->notify = !strcmp(v, "notify"), free(v);
		else
			free(v);
	}
	fclose(f);
	if (!u->start) {
		printf("failed: %s has no ExecStart=\n", path);
		return -1;
	}
	return 0;
}

/* Split cmd at blanks into argv (cmd is modified); -1 for quoting. */
static int split(char *cmd, char **argv)
{
	int n = 0;

	if (strpbrk(cmd, "\"'\\$"))
		return -1;
	for (char *t = strtok(cmd, " \t"); t && n < MAX_ARGS - 1; t = strtok(NULL, " \t"))
		argv[n++] = t;
	argv[n] = NULL;
	return n ? 0 : -1;
}

/* stdout and stderr as a stream to the journal, as systemd hands them. */
static int journal_stream(const char *ident)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX, .sun_path = JOURNAL_STDOUT};
	char head[256], env[64];
	struct stat st;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	/* identifier, unit, priority, level prefix, syslog, kmsg, console */
	snprintf(head, sizeof(head), "%s\n\n6\n1\n0\n0\n0\n", ident);
	if (write(fd, head, strlen(head)) != (ssize_t)strlen(head) || shutdown(fd, SHUT_RD) ||
	    fstat(fd, &st))
		return -1;
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
		return -1;
	return setenv("JOURNAL_STREAM", env, 1);
}

static pid_t spawn(char *cmd, const char *notify, bool journal)
{
	char *argv[MAX_ARGS];
	sigset_t none;
	pid_t pid;

	if (split(cmd, argv)) {
		printf("failed: cannot split '%s' (no quoting here)\n", cmd);
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid)
		return pid;
	setsid();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	dup2(open("/dev/null", O_RDONLY), STDIN_FILENO);
	if (journal && journal_stream(argv[0][0] == '/' ? strrchr(argv[0], '/') + 1 : argv[0])) {
		perror("zdispl-lab-unit: journal stream");
		_exit(126);
	}
	if (notify)
		setenv("NOTIFY_SOCKET", notify, 1);
	execv(argv[0], argv);
	perror(argv[0]);
	_exit(127);
}

static int notify_socket(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	mkdir(NOTIFY_DIR, 0700);
	unlink(path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	return fd;
}

static void report_exit(int status)
{
	if (WIFEXITED(status))
		printf("exited status=%d\n", WEXITSTATUS(status));
	else
		printf("exited signal=%d\n", WTERMSIG(status));
	fflush(stdout);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Serve the running service: its notify messages, its end, and our
 * SIGTERM (stop it). Returns the exit status for this program.
 */
static int supervise(pid_t pid, int nfd, int sfd, double timeout, bool ready)
{
	double start = now_s(), kill_at = 0;
	int status;

	for (;;) {
		struct pollfd p[2] = {{.fd = nfd, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
		char msg[512];
		ssize_t n;

		if (waitpid(pid, &status, WNOHANG) == pid) {
			if (!ready)
				printf("failed: it ended before READY=1\n");
			report_exit(status);
			return ready ? 0 : 1;
		}
		if (!ready && now_s() - start > timeout) {
			printf("failed: no READY=1 within %.0f s: stopping it\n", timeout);
			kill(pid, SIGTERM);
			kill_at = now_s() + timeout;
			start = 1e300;
		}
		if (kill_at && now_s() > kill_at) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
		if (poll(p, 2, 100) <= 0)
			continue;
		if (p[1].revents) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si) && !kill_at) {
				printf("stop: SIGTERM to pid %d\n", (int)pid);
				fflush(stdout);
				kill(pid, SIGTERM);
				kill_at = now_s() + timeout;
			}
		}
		if (p[0].revents && (n = recv(nfd, msg, sizeof(msg) - 1, 0)) > 0) {
			msg[n] = '\0';
			for (char *l = strtok(msg, "\n"); l; l = strtok(NULL, "\n")) {
				printf("notify %s\n", l);
				if (!ready && !strcmp(l, "READY=1")) {
					ready = true;
					printf("ready pid=%d\n", (int)pid);
				}
			}
			fflush(stdout);
		}
	}
}

int main(int argc, char **argv)
{
	static const char notify_path[] = NOTIFY_DIR "/notify";
	struct unit u = {0};
	double timeout = 90;
	bool journal = false;
	int opt, nfd, sfd, status;
	sigset_t mask;
	pid_t pid;

	while ((opt = getopt(argc, argv, "t:j")) != -1) {
		if (opt == 't')
			timeout = atof(optarg);
		else if (opt == 'j')
			journal = true;
		else
			return 2;
	}
	if (optind != argc - 1 || timeout <= 0) {
		fprintf(stderr, "usage: zdispl-lab-unit [-t SECONDS] [-j] UNIT-FILE\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_unit(argv[optind], &u))
		return 1;
	for (unsigned int i = 0; i < u.nconditions; i++) {
		const char *c = u.conditions[i];
		bool neg = *c == '!', exists = access(c + neg, F_OK) == 0;

		if (exists == neg) {
			printf("condition failed: ConditionPathExists=%s\n", c);
			return 3;
		}
	}
	for (unsigned int i = 0; i < u.npre; i++) {
		char *cmd = u.pre[i], *shown = strdup(cmd);
		bool may_fail = *cmd == '-';

		pid = spawn(cmd + may_fail, NULL, journal);
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			return 1;
		printf("pre %s status=%d\n", shown, WIFEXITED(status) ? WEXITSTATUS(status) : 128);
		free(shown);
		if (!may_fail && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
			printf("failed: ExecStartPre= failed\n");
			return 1;
		}
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	nfd = u.notify ? notify_socket(notify_path) : -1;
	if (sfd < 0 || (u.notify && nfd < 0)) {
		printf("failed: %s: %s\n", sfd < 0 ? "signalfd" : notify_path, strerror(errno));
		return 1;
	}
	pid = spawn(u.start, u.notify ? notify_path : NULL, journal);
	if (pid < 0)
		return 1;
	if (!u.notify)
		printf("ready pid=%d\n", (int)pid);
	return supervise(pid, nfd, sfd, timeout, !u.notify);
}
