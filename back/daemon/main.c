// SPDX-License-Identifier: GPL-2.0
/*
 * zdispl-back: the zdispl displif v2 backend daemon. Serves every vdispl
 * device whose backend is the domain it runs in, showing frames on KMS.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "core/backend.h"
#include "kms/kms.h"
#include "wl/wl.h"
#include "base/log.h"
#include "base/notify.h"
#include "core/status.h"
#include "core/zerocopy.h"
#include "options.h"

struct sig_ctx {
	struct zd_loop *loop;
	int fd;
};

static void on_signal(void *data)
{
	struct sig_ctx *s = data;
	struct signalfd_siginfo si;

	if (read(s->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		zd_info(NULL, "%s: shutting down", strsignal((int)si.ssi_signo));
		zd_loop_quit(s->loop);
	}
}

int main(int argc, char **argv)
{
	struct zd_options o;
	const struct zd_display_ops *dops = &kms_display_ops;
	struct zd_display *display = NULL;
	struct zd_zcopy *zcopy = NULL;
	struct zd_backend *be = NULL;
	struct zd_status *status = NULL;
	struct zd_loop *loop = NULL;
	struct sig_ctx sig = {.fd = -1};
	sigset_t mask;
	int r;

	zd_options_init(&o);
	r = zd_options_parse(&o, argc, argv);
	if (r || o.check_config) {
		if (!r)
			zd_options_print(&o, stdout);
		zd_options_free(&o);
		return r < 0 ? 2 : 0;
	}
	zd_log_init(o.level, o.log_target);
	if (o.config_path)
		zd_info(NULL, "settings from %s and the command line", o.config_path);
	signal(SIGPIPE, SIG_IGN);
	/* Two daemons must not serve the same devices: refuse before touching any. */
	if (zd_status_probe(o.status_path) == -EADDRINUSE) {
		zd_err(NULL, "another zdispl-back runs: its status socket %s answers",
		       o.status_path);
		zd_options_free(&o);
		return 1;
	}

	r = zd_loop_new(&loop);
	if (r)
		goto out;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sig.loop = loop;
	sig.fd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sig.fd < 0 || !zd_loop_add(loop, sig.fd, on_signal, &sig)) {
		r = -errno;
		zd_err(NULL, "signalfd: %s", strerror(errno));
		goto out;
	}
	if (o.wayland) {
		dops = &zwl_display_ops;
		r = zwl_display_open(loop, o.fullscreen, &display);
		if (r) {
			zd_err(NULL, "no Wayland compositor to show guests in (%s)", strerror(-r));
			goto out;
		}
	} else if (!o.no_display) {
		r = kms_display_open(loop, o.ndrm ? o.drm : NULL, o.ndrm, &display);
		if (r) {
			zd_err(NULL, "no usable display (%s); use --no-display to run without",
			       strerror(-r));
			goto out;
		}
	}
	r = zd_zcopy_open(o.zcopy, &zcopy);
	if (r)
		goto out;
	r = zd_backend_new(loop, dops, display, zcopy, &o.limits, &o.be_alloc, &o.outputs, &be);
	if (r)
		goto out;
	r = zd_status_open(be, o.status_path, &status);
	if (r) {
		zd_err(NULL, "status socket %s: %s", o.status_path, strerror(-r));
		goto out;
	}
	/*
	 * The backend's watch is set: every device there is already, or that
	 * appears from now on, will be served. Guests may start.
	 */
	zd_notify("READY=1");
	r = zd_loop_run(loop);
	zd_notify("STOPPING=1");
	if (r)
		zd_err(NULL, "event loop: %s", strerror(-r));
out:
	zd_status_close(status);
	zd_backend_free(be);
	zd_zcopy_close(zcopy);
	if (dops == &zwl_display_ops)
		zwl_display_close(display);
	else
		kms_display_close(display);
	if (sig.fd >= 0)
		close(sig.fd);
	zd_loop_free(loop);
	zd_options_free(&o);
	return r ? 1 : 0;
}
