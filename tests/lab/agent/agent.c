/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zdispl-lab-agent: runs commands inside a lab guest on behalf of dom0.
 *
 * The lab has no network; xenstore is the channel. Under the guest's own
 * data/lab/ (relative to /local/domain/<domid>, which dom0 can write):
 *
 *   ready        "1", written once the agent is up
 *   cmd/<n>      "<timeout-seconds> <shell command>", written by dom0
 *   out/<n>      the last OUT_MAX bytes of the command's stdout+stderr
 *   rc/<n>       its exit status (128+signal if killed), written last
 *
 * Commands run one at a time, in increasing <n>, each under /bin/sh -c in
 * its own process group, killed when its timeout expires.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#define PREFIX "data/lab"
#define OUT_MAX 2048 /* stays well below XENSTORE_PAYLOAD_MAX */
#define TIMEOUT_MAX (24 * 3600)
#define OUT_FILE "/tmp/lab-agent.out"

static unsigned long last_done;

static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("zdispl-lab-agent: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int write_node(struct xs_handle *xs, const char *sub, unsigned long n, const void *data,
		      size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), PREFIX "/%s/%lu", sub, n);
	if (!xs_write(xs, XBT_NULL, path, data, (unsigned int)len))
		return -errno;
	return 0;
}

/* Parse "<timeout> <command>"; returns the command or NULL if malformed. */
static const char *parse_cmd(const char *val, unsigned int *timeout)
{
	char *end;
	unsigned long t;

	errno = 0;
	t = strtoul(val, &end, 10);
	if (errno || end == val || *end != ' ' || t == 0 || t > TIMEOUT_MAX)
		return NULL;
	*timeout = (unsigned int)t;
	return end + 1;
}

/* Run cmd, wait at most timeout seconds; returns a shell-style status. */
static int run(const char *cmd, unsigned int timeout)
{
	int fd, pidfd, status = 0;
	struct pollfd pfd;
	pid_t pid;

	fd = open(OUT_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return 127;
	pid = fork();
	if (pid < 0) {
		close(fd);
		return 127;
	}
	if (pid == 0) {
		setpgid(0, 0);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fd);

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0) {
		pfd.fd = pidfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)timeout * 1000) == 0) {
			logmsg("command %d timed out after %us", (int)pid, timeout);
			kill(-pid, SIGKILL);
		}
		close(pidfd);
	}
	if (waitpid(pid, &status, 0) < 0)
		return 127;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Read the tail of the command's output. */
static size_t read_output(char *buf, size_t max)
{
	int fd = open(OUT_FILE, O_RDONLY | O_CLOEXEC);
	off_t size;
	ssize_t r;

	if (fd < 0)
		return 0;
	size = lseek(fd, 0, SEEK_END);
	if (size < 0 || lseek(fd, size > (off_t)max ? size - (off_t)max : 0, SEEK_SET) < 0) {
		close(fd);
		return 0;
	}
	r = read(fd, buf, max);
	close(fd);
	return r > 0 ? (size_t)r : 0;
}

static void do_command(struct xs_handle *xs, unsigned long n)
{
	char path[64], out[OUT_MAX], rc[16];
	unsigned int len, timeout;
	const char *cmd;
	size_t outlen;
	char *val;
	int status;

	snprintf(path, sizeof(path), PREFIX "/cmd/%lu", n);
	val = xs_read(xs, XBT_NULL, path, &len);
	if (!val)
		return;
	cmd = parse_cmd(val, &timeout);
	if (!cmd) {
		logmsg("malformed command %lu", n);
		status = 2;
		outlen = (size_t)snprintf(out, sizeof(out), "malformed command\n");
	} else {
		status = run(cmd, timeout);
		outlen = read_output(out, sizeof(out));
	}
	free(val);
	snprintf(rc, sizeof(rc), "%d", status);
	if (write_node(xs, "out", n, out, outlen) || write_node(xs, "rc", n, rc, strlen(rc)))
		logmsg("cannot write the result of %lu: %s", n, strerror(errno));
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return (x > y) - (x < y);
}

/* Run every command newer than the last one done, in order. */
static void scan(struct xs_handle *xs)
{
	unsigned long ids[256];
	unsigned int num, i, k = 0;
	char **names, *end;

	names = xs_directory(xs, XBT_NULL, PREFIX "/cmd", &num);
	if (!names)
		return;
	for (i = 0; i < num && k < 256; i++) {
		unsigned long v;

		errno = 0;
		v = strtoul(names[i], &end, 10);
		if (!errno && *end == '\0' && v > last_done && v < ULONG_MAX)
			ids[k++] = v;
	}
	free(names);
	qsort(ids, k, sizeof(ids[0]), cmp_ulong);
	for (i = 0; i < k; i++) {
		do_command(xs, ids[i]);
		last_done = ids[i];
	}
}

int main(int argc, char **argv)
{
	struct xs_handle *xs;
	unsigned int num;
	char **ev;

	if (argc > 1) {
		fprintf(stderr,
			"usage: %s\n(runs commands from dom0 found under %s/ in xenstore)\n",
			argv[0], PREFIX);
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	signal(SIGPIPE, SIG_IGN);
	xs = xs_open(0);
	if (!xs) {
		logmsg("xs_open: %s", strerror(errno));
		return 1;
	}
	if (!xs_watch(xs, PREFIX "/cmd", "cmd")) {
		logmsg("xs_watch: %s", strerror(errno));
		xs_close(xs);
		return 1;
	}
	if (!xs_write(xs, XBT_NULL, PREFIX "/ready", "1", 1)) {
		logmsg("cannot write %s/ready: %s", PREFIX, strerror(errno));
		xs_close(xs);
		return 1;
	}
	logmsg("ready");
	for (;;) {
		ev = xs_read_watch(xs, &num);
		if (!ev) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			logmsg("xs_read_watch: %s", strerror(errno));
			break;
		}
		free(ev);
		scan(xs);
	}
	xs_close(xs);
	return 1;
}
