/*
 * xs.c - fake libxenstore (and the xenstored behind it) for host unit tests.
 *
 * Implements the <xenstore.h> calls a backend daemon needs on an in-process
 * node tree; see fakexen.h for the model and its documented deviations.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenstore.h>

#include "internal.h"

#define FX_XS_MAX_NODES 8192
#define FX_XS_MAX_EVENTS 1024
#define FX_XS_MAX_WATCHES 128
#define FX_XS_MAX_TRANSACTIONS 16
#define FX_XS_MAX_PERMS 64
#define FX_XS_PATH_MAX XENSTORE_ABS_PATH_MAX

struct fx_node {
	char *name;
	char *value; /* len bytes, then a NUL so it is also a C string */
	unsigned int len;
	struct xs_permissions *perms;
	unsigned int nr_perms;
	struct fx_node *parent;
	struct fx_node *children; /* in creation order, as xenstored lists them */
	struct fx_node *next;
};

struct fx_watch {
	struct fx_watch *next;
	char *path;  /* absolute, or a special "@..." name */
	char *given; /* as passed to xs_watch() */
	char *token;
	size_t home_len; /* relative watch: strip this prefix from events */
};

struct fx_event {
	struct fx_event *next;
	char *path;
	char *token;
};

struct xs_handle {
	struct xs_handle *next;
	unsigned long flags;
	int fd;
	struct fx_watch *watches;
	unsigned int nr_watches;
	struct fx_event *ev_head;
	struct fx_event **ev_tail;
	unsigned int nr_events;
	xs_transaction_t tx[FX_XS_MAX_TRANSACTIONS];
	unsigned int nr_tx;
};

static struct fx_node *root;
static unsigned int nr_nodes;
static struct xs_handle *handles;
static unsigned int dropped_events;
static unsigned long queued_events;
static xs_transaction_t next_tx = 1;

static void *fail_null(int err)
{
	errno = err;
	return NULL;
}

static bool fail_false(int err)
{
	errno = err;
	return false;
}

/* ------------------------------------------------------------------------
 * Paths
 */

static bool valid_abs_path(const char *p)
{
	size_t len = strlen(p);

	if (p[0] != '/' || len > XENSTORE_ABS_PATH_MAX)
		return false;
	if (len == 1)
		return true;
	if (p[len - 1] == '/' || strstr(p, "//"))
		return false;
	for (; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr("-/_@", *p))
			return false;
	}
	return true;
}

/* Special watch names such as "@releaseDomain" are valid only in watches. */
static bool valid_special_path(const char *p)
{
	if (p[0] != '@' || p[1] == '\0' || strlen(p) > XENSTORE_REL_PATH_MAX)
		return false;
	for (p++; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr("-_", *p))
			return false;
	}
	return true;
}

static int home_path(unsigned int domid, char *out, size_t size)
{
	int n = snprintf(out, size, "/local/domain/%u", domid);

	return n < 0 || (size_t)n >= size ? -EINVAL : n;
}

/*
 * Resolve @path, absolute or relative to domain @domid's home, into the
 * canonical absolute path @out.  Returns -EINVAL for anything xenstored
 * would reject.
 */
static int canon_path(const char *path, unsigned int domid, char out[FX_XS_PATH_MAX + 1])
{
	size_t len;
	int n;

	/* Like xenstored, never prefix a "@..." name: it stays invalid. */
	if (!path || path[0] == '@')
		return -EINVAL;
	len = strlen(path);
	if (path[0] == '/') {
		if (len > FX_XS_PATH_MAX)
			return -EINVAL;
		memcpy(out, path, len + 1);
	} else {
		if (len == 0 || len > XENSTORE_REL_PATH_MAX)
			return -EINVAL;
		n = home_path(domid, out, FX_XS_PATH_MAX + 1);
		if (n < 0 || (size_t)n + 1 + len > FX_XS_PATH_MAX)
			return -EINVAL;
		out[n] = '/';
		memcpy(out + n + 1, path, len + 1);
	}
	return valid_abs_path(out) ? 0 : -EINVAL;
}

/* Is @path equal to @base or somewhere below it?  Pure string test. */
static bool path_at_or_below(const char *path, const char *base)
{
	size_t len = strlen(base);

	if (strcmp(base, "/") == 0)
		return path[0] == '/';
	return strncmp(path, base, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

/* ------------------------------------------------------------------------
 * The node tree
 */

static struct xs_permissions *dup_perms(const struct xs_permissions *perms, unsigned int n)
{
	struct xs_permissions *p = malloc(n * sizeof(*p));

	if (p)
		memcpy(p, perms, n * sizeof(*p));
	return p;
}

static void free_subtree(struct fx_node *n)
{
	while (n->children) {
		struct fx_node *c = n->children;

		n->children = c->next;
		free_subtree(c);
	}
	free(n->name);
	free(n->value);
	free(n->perms);
	free(n);
	nr_nodes--;
}

static int ensure_root(void)
{
	static const struct xs_permissions root_perms = {.id = 0, .perms = XS_PERM_NONE};

	if (root)
		return 0;
	root = calloc(1, sizeof(*root));
	if (!root)
		return -ENOMEM;
	root->name = strdup("");
	root->value = strdup("");
	root->perms = dup_perms(&root_perms, 1);
	root->nr_perms = 1;
	nr_nodes = 1;
	if (!root->name || !root->value || !root->perms) {
		free_subtree(root);
		root = NULL;
		return -ENOMEM;
	}
	return 0;
}

static struct fx_node *find_child(const struct fx_node *parent, const char *name, size_t len)
{
	struct fx_node *c;

	for (c = parent->children; c; c = c->next) {
		if (strlen(c->name) == len && memcmp(c->name, name, len) == 0)
			return c;
	}
	return NULL;
}

/* Length of the path component starting at @p (up to '/' or the end). */
static size_t component_len(const char *p)
{
	const char *slash = strchr(p, '/');

	return slash ? (size_t)(slash - p) : strlen(p);
}

/* Find the node at canonical path @abs; NULL if it does not exist. */
static struct fx_node *lookup(const char *abs)
{
	struct fx_node *n;
	const char *p = abs + 1;

	if (ensure_root())
		return NULL;
	n = root;
	while (n && *p) {
		size_t len = component_len(p);

		n = find_child(n, p, len);
		p += len;
		if (*p == '/')
			p++;
	}
	return n;
}

static struct fx_node *new_child(struct fx_node *parent, const char *name, size_t len,
				 unsigned int creator)
{
	struct fx_node *n = calloc(1, sizeof(*n));
	struct fx_node **tail;

	if (!n)
		return NULL;
	n->name = strndup(name, len);
	n->value = strdup("");
	n->perms = dup_perms(parent->perms, parent->nr_perms);
	if (!n->name || !n->value || !n->perms) {
		free(n->name);
		free(n->value);
		free(n->perms);
		free(n);
		return NULL;
	}
	n->nr_perms = parent->nr_perms;
	/* xenstored: unprivileged domains own the nodes they create. */
	if (creator != 0)
		n->perms[0].id = creator;
	n->parent = parent;
	for (tail = &parent->children; *tail; tail = &(*tail)->next)
		;
	*tail = n;
	nr_nodes++;
	return n;
}

/* Number of nodes that creating @abs would add. */
static unsigned int missing_nodes(const char *abs)
{
	struct fx_node *n = root;
	const char *p = abs + 1;
	unsigned int missing = 0;

	while (*p) {
		size_t len = component_len(p);

		n = n ? find_child(n, p, len) : NULL;
		if (!n)
			missing++;
		p += len;
		if (*p == '/')
			p++;
	}
	return missing;
}

/*
 * Find or create the node at @abs and its missing parents, as domain
 * @creator.  The node limit is checked up front so a failure leaves the
 * tree untouched (short of an allocation failure).
 */
static int create_path(const char *abs, unsigned int creator, struct fx_node **out, bool *created)
{
	struct fx_node *n;
	const char *p = abs + 1;
	int err = ensure_root();

	if (err)
		return err;
	*created = false;
	if (nr_nodes + missing_nodes(abs) > FX_XS_MAX_NODES)
		return -ENOSPC;
	n = root;
	while (*p) {
		size_t len = component_len(p);
		struct fx_node *c = find_child(n, p, len);

		if (!c) {
			c = new_child(n, p, len, creator);
			if (!c)
				return -ENOMEM;
			*created = true;
		}
		n = c;
		p += len;
		if (*p == '/')
			p++;
	}
	*out = n;
	return 0;
}

static int set_value(struct fx_node *n, const void *data, unsigned int len)
{
	char *v = malloc((size_t)len + 1);

	if (!v)
		return -ENOMEM;
	if (len)
		memcpy(v, data, len);
	v[len] = '\0';
	free(n->value);
	n->value = v;
	n->len = len;
	return 0;
}

static void unlink_node(struct fx_node *n)
{
	struct fx_node **pp;

	for (pp = &n->parent->children; *pp != n; pp = &(*pp)->next)
		;
	*pp = n->next;
}

/* ------------------------------------------------------------------------
 * Watch events
 */

static void update_ready(struct xs_handle *h)
{
	fxi_readyfd_set(h->fd, h->nr_events > 0);
}

/* Queue one event for @w about the change at @abs (or special name). */
static bool queue_event(struct xs_handle *h, const struct fx_watch *w, const char *abs)
{
	const char *path = abs;
	struct fx_event *ev;

	if (w->home_len && strlen(abs) > w->home_len && abs[w->home_len] == '/')
		path = abs + w->home_len + 1;
	if (h->nr_events >= FX_XS_MAX_EVENTS) {
		dropped_events++;
		return false;
	}
	ev = calloc(1, sizeof(*ev));
	if (ev) {
		ev->path = strdup(path);
		ev->token = strdup(w->token);
	}
	if (!ev || !ev->path || !ev->token) {
		if (ev) {
			free(ev->path);
			free(ev->token);
		}
		free(ev);
		dropped_events++;
		return false;
	}
	*h->ev_tail = ev;
	h->ev_tail = &ev->next;
	h->nr_events++;
	queued_events++;
	update_ready(h);
	return true;
}

/*
 * Fire the watches affected by a change at @abs.  Watches at or above it
 * get an event for @abs; when a subtree was removed, watches inside it also
 * fire, each with its own path (their node is gone too).
 */
static int fire_watches(const char *abs, bool subtree_removed)
{
	struct xs_handle *h;
	struct fx_watch *w;
	int queued = 0;

	for (h = handles; h; h = h->next) {
		for (w = h->watches; w; w = w->next) {
			if (path_at_or_below(abs, w->path))
				queued += queue_event(h, w, abs);
			else if (subtree_removed && path_at_or_below(w->path, abs))
				queued += queue_event(h, w, w->path);
		}
	}
	return queued;
}

static struct fx_event *pop_event(struct xs_handle *h)
{
	struct fx_event *ev = h->ev_head;

	if (!ev)
		return NULL;
	h->ev_head = ev->next;
	if (!h->ev_head)
		h->ev_tail = &h->ev_head;
	h->nr_events--;
	update_ready(h);
	return ev;
}

static void free_event(struct fx_event *ev)
{
	free(ev->path);
	free(ev->token);
	free(ev);
}

static void free_watch(struct fx_watch *w)
{
	free(w->path);
	free(w->given);
	free(w->token);
	free(w);
}

/* XS_UNWATCH_FILTER: drop queued events that @w (being removed) produced. */
static void purge_events(struct xs_handle *h, const struct fx_watch *w)
{
	struct fx_event **pp = &h->ev_head;

	while (*pp) {
		struct fx_event *ev = *pp;

		if (strcmp(ev->token, w->token) == 0 && path_at_or_below(ev->path, w->given)) {
			*pp = ev->next;
			free_event(ev);
			h->nr_events--;
		} else {
			pp = &ev->next;
		}
	}
	h->ev_tail = &h->ev_head;
	while (*h->ev_tail)
		h->ev_tail = &(*h->ev_tail)->next;
	update_ready(h);
}

/* ------------------------------------------------------------------------
 * Handles and transactions
 */

static bool handle_is_live(const struct xs_handle *h)
{
	const struct xs_handle *p;

	for (p = handles; p; p = p->next) {
		if (p == h)
			return true;
	}
	return false;
}

static int find_tx(const struct xs_handle *h, xs_transaction_t t)
{
	unsigned int i;

	for (i = 0; i < h->nr_tx; i++) {
		if (h->tx[i] == t)
			return (int)i;
	}
	return -1;
}

/*
 * Common prologue of the request functions: reject a bad handle, count the
 * call and apply failure injection, then check the transaction id.
 * Returns 0 or the errno to fail with.
 */
static int enter(struct xs_handle *h, enum fx_op op, xs_transaction_t t)
{
	int err;

	if (!handle_is_live(h))
		return EBADF;
	err = fxi_inject(op);
	if (err)
		return err;
	if (t != XBT_NULL && find_tx(h, t) < 0)
		return ENOENT;
	return 0;
}

unsigned int fxi_xs_nr_handles(void)
{
	const struct xs_handle *h;
	unsigned int n = 0;

	for (h = handles; h; h = h->next)
		n++;
	return n;
}

struct xs_handle *xs_open(unsigned long flags)
{
	struct xs_handle *h;
	int err = fxi_inject(FX_XS_OPEN);

	if (err)
		return fail_null(err);
	h = calloc(1, sizeof(*h));
	if (!h)
		return fail_null(ENOMEM);
	h->fd = fxi_readyfd_open(true);
	if (h->fd < 0) {
		err = errno;
		free(h);
		return fail_null(err);
	}
	h->flags = flags;
	h->ev_tail = &h->ev_head;
	h->next = handles;
	handles = h;
	return h;
}

void xs_close(struct xs_handle *xsh)
{
	struct xs_handle **pp;
	struct fx_event *ev;

	for (pp = &handles; *pp && *pp != xsh; pp = &(*pp)->next)
		;
	if (!xsh || !*pp)
		return; /* NULL is allowed; an unknown handle is ignored */
	*pp = xsh->next;
	while (xsh->watches) {
		struct fx_watch *w = xsh->watches;

		xsh->watches = w->next;
		free_watch(w);
	}
	while ((ev = pop_event(xsh)))
		free_event(ev);
	close(xsh->fd);
	free(xsh);
}

int xs_fileno(struct xs_handle *h)
{
	if (!handle_is_live(h)) {
		errno = EBADF;
		return -1;
	}
	return h->fd;
}

xs_transaction_t xs_transaction_start(struct xs_handle *h)
{
	int err = enter(h, FX_XS_TRANSACTION_START, XBT_NULL);

	if (!err && h->nr_tx >= FX_XS_MAX_TRANSACTIONS)
		err = ENOSPC;
	if (err) {
		errno = err;
		return XBT_NULL;
	}
	if (next_tx == XBT_NULL)
		next_tx++;
	h->tx[h->nr_tx++] = next_tx;
	return next_tx++;
}

bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
	int i, err;

	(void)abort; /* changes were applied at once: nothing to commit or undo */
	if (!handle_is_live(h))
		return fail_false(EBADF);
	i = t == XBT_NULL ? -1 : find_tx(h, t);
	if (i < 0)
		return fail_false(ENOENT);
	h->tx[i] = h->tx[--h->nr_tx];
	/* Injected after ending it: on EAGAIN the caller must start over. */
	err = fxi_inject(FX_XS_TRANSACTION_END);
	if (err)
		return fail_false(err);
	return true;
}

/* ------------------------------------------------------------------------
 * Requests
 */

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)
{
	char abs[FX_XS_PATH_MAX + 1];
	const struct fx_node *n;
	char *buf;
	int err = enter(h, FX_XS_READ, t);

	if (!err)
		err = -canon_path(path, fx_self_domid, abs);
	if (err)
		return fail_null(err);
	n = lookup(abs);
	if (!n)
		return fail_null(ENOENT);
	buf = malloc((size_t)n->len + 1);
	if (!buf)
		return fail_null(ENOMEM);
	memcpy(buf, n->value, (size_t)n->len + 1);
	if (len)
		*len = n->len;
	return buf;
}

/* Create/overwrite @abs as domain @domid and fire watches. */
static int do_write(const char *abs, unsigned int domid, const void *data, unsigned int len)
{
	struct fx_node *n;
	bool created;
	int err = create_path(abs, domid, &n, &created);

	if (!err)
		err = set_value(n, data, len);
	if (err)
		return err;
	fire_watches(abs, false);
	return 0;
}

/* libxenstore refuses requests whose payload exceeds XENSTORE_PAYLOAD_MAX. */
static bool payload_fits(const char *a, size_t b_len)
{
	return strlen(a) + 1 + b_len <= XENSTORE_PAYLOAD_MAX;
}

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
	      unsigned int len)
{
	char abs[FX_XS_PATH_MAX + 1];
	int err = enter(h, FX_XS_WRITE, t);

	if (!err && (!path || (!data && len)))
		err = EINVAL;
	if (!err && !payload_fits(path, len))
		err = E2BIG;
	if (!err)
		err = -canon_path(path, fx_self_domid, abs);
	if (!err)
		err = -do_write(abs, fx_self_domid, data, len);
	return err ? fail_false(err) : true;
}

bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	char abs[FX_XS_PATH_MAX + 1];
	struct fx_node *n;
	bool created = false;
	int err = enter(h, FX_XS_MKDIR, t);

	if (!err)
		err = -canon_path(path, fx_self_domid, abs);
	if (!err)
		err = -create_path(abs, fx_self_domid, &n, &created);
	if (err)
		return fail_false(err);
	/* An existing node is left alone and, like xenstored, fires nothing. */
	if (created)
		fire_watches(abs, false);
	return true;
}

/* Remove @abs and its subtree; xenstored accepts a missing node whose
 * parent exists. */
static int do_rm(const char *abs)
{
	struct fx_node *n;
	char parent[FX_XS_PATH_MAX + 1];
	char *slash;

	if (strcmp(abs, "/") == 0)
		return -EINVAL;
	n = lookup(abs);
	if (!n) {
		strcpy(parent, abs);
		slash = strrchr(parent, '/');
		if (slash == parent)
			slash[1] = '\0'; /* the parent of "/a" is "/" */
		else
			*slash = '\0';
		return lookup(parent) ? 0 : -ENOENT;
	}
	unlink_node(n);
	free_subtree(n);
	fire_watches(abs, true);
	return 0;
}

bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	char abs[FX_XS_PATH_MAX + 1];
	int err = enter(h, FX_XS_RM, t);

	if (!err)
		err = -canon_path(path, fx_self_domid, abs);
	if (!err)
		err = -do_rm(abs);
	return err ? fail_false(err) : true;
}

/*
 * Like libxenstore, return the names in one allocation: the pointer array
 * followed by the strings it points to, so the caller free()s it once.
 */
char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *num)
{
	char abs[FX_XS_PATH_MAX + 1];
	const struct fx_node *n, *c;
	size_t count = 0, bytes = 0;
	char **ret, *s;
	int err = enter(h, FX_XS_DIRECTORY, t);

	if (!err && !num)
		err = EINVAL;
	if (!err)
		err = -canon_path(path, fx_self_domid, abs);
	if (err)
		return fail_null(err);
	n = lookup(abs);
	if (!n)
		return fail_null(ENOENT);
	for (c = n->children; c; c = c->next) {
		count++;
		bytes += strlen(c->name) + 1;
	}
	/* +1 pointer so an empty directory still gets a non-NULL array. */
	ret = malloc((count + 1) * sizeof(*ret) + bytes);
	if (!ret)
		return fail_null(ENOMEM);
	s = (char *)(ret + count + 1);
	count = 0;
	for (c = n->children; c; c = c->next) {
		ret[count++] = s;
		s = stpcpy(s, c->name) + 1;
	}
	ret[count] = NULL;
	*num = (unsigned int)count;
	return ret;
}

char *xs_get_domain_path(struct xs_handle *h, unsigned int domid)
{
	char buf[64];
	char *ret;
	int err = enter(h, FX_XS_GET_DOMAIN_PATH, XBT_NULL);

	if (!err && home_path(domid, buf, sizeof(buf)) < 0)
		err = EINVAL;
	if (err)
		return fail_null(err);
	ret = strdup(buf);
	return ret ? ret : fail_null(ENOMEM);
}

bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
			struct xs_permissions *perms, unsigned int num_perms)
{
	char abs[FX_XS_PATH_MAX + 1];
	struct xs_permissions *copy;
	struct fx_node *n;
	unsigned int i;
	int err = enter(h, FX_XS_SET_PERMISSIONS, t);

	if (!err && (!perms || num_perms == 0))
		err = EINVAL;
	if (!err && num_perms > FX_XS_MAX_PERMS)
		err = ENOSPC;
	for (i = 0; !err && i < num_perms; i++) {
		if (perms[i].perms & ~(unsigned int)(XS_PERM_READ | XS_PERM_WRITE))
			err = EINVAL;
	}
	if (!err)
		err = -canon_path(path, fx_self_domid, abs);
	if (err)
		return fail_false(err);
	n = lookup(abs);
	if (!n)
		return fail_false(ENOENT);
	copy = dup_perms(perms, num_perms);
	if (!copy)
		return fail_false(ENOMEM);
	free(n->perms);
	n->perms = copy;
	n->nr_perms = num_perms;
	fire_watches(abs, false);
	return true;
}

struct xs_permissions *xs_get_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
					  unsigned int *num)
{
	char abs[FX_XS_PATH_MAX + 1];
	const struct fx_node *n;
	struct xs_permissions *ret;
	int err = enter(h, FX_XS_GET_PERMISSIONS, t);

	if (!err && !num)
		err = EINVAL;
	if (!err)
		err = -canon_path(path, fx_self_domid, abs);
	if (err)
		return fail_null(err);
	n = lookup(abs);
	if (!n)
		return fail_null(ENOENT);
	ret = dup_perms(n->perms, n->nr_perms);
	if (!ret)
		return fail_null(ENOMEM);
	*num = n->nr_perms;
	return ret;
}

/* ------------------------------------------------------------------------
 * Watches
 */

static struct fx_watch *find_watch(struct xs_handle *h, const char *path, const char *token,
				   struct fx_watch ***link)
{
	struct fx_watch **pp;

	for (pp = &h->watches; *pp; pp = &(*pp)->next) {
		if (strcmp((*pp)->path, path) == 0 && strcmp((*pp)->token, token) == 0) {
			if (link)
				*link = pp;
			return *pp;
		}
	}
	return NULL;
}

/* Canonical form of a watch path: a special "@..." name or absolute. */
static int watch_path(const char *path, char abs[FX_XS_PATH_MAX + 1])
{
	if (!path)
		return -EINVAL;
	if (path[0] == '@') {
		if (!valid_special_path(path))
			return -EINVAL;
		strcpy(abs, path);
		return 0;
	}
	return canon_path(path, fx_self_domid, abs);
}

static struct fx_watch *new_watch(const char *abs, const char *given, const char *token)
{
	struct fx_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->path = strdup(abs);
	w->given = strdup(given);
	w->token = strdup(token);
	if (!w->path || !w->given || !w->token) {
		free_watch(w);
		return NULL;
	}
	if (given[0] != '/' && given[0] != '@')
		w->home_len = strlen(abs) - strlen(given) - 1;
	return w;
}

bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
	char abs[FX_XS_PATH_MAX + 1];
	struct fx_watch *w, **tail;
	int err = enter(h, FX_XS_WATCH, XBT_NULL);

	if (!err && (!path || !token))
		err = EINVAL;
	if (!err && !payload_fits(path, strlen(token) + 1))
		err = E2BIG;
	if (!err)
		err = -watch_path(path, abs);
	if (!err && find_watch(h, abs, token, NULL))
		err = EEXIST;
	if (!err && h->nr_watches >= FX_XS_MAX_WATCHES)
		err = ENOSPC;
	if (err)
		return fail_false(err);
	w = new_watch(abs, path, token);
	if (!w)
		return fail_false(ENOMEM);
	for (tail = &h->watches; *tail; tail = &(*tail)->next)
		;
	*tail = w;
	h->nr_watches++;
	/* xenstored always fires a new watch once, with the path as given. */
	queue_event(h, w, abs);
	return true;
}

bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
	char abs[FX_XS_PATH_MAX + 1];
	struct fx_watch *w = NULL, **link = NULL;
	int err = enter(h, FX_XS_UNWATCH, XBT_NULL);

	if (!err && (!path || !token))
		err = EINVAL;
	if (!err)
		err = -watch_path(path, abs);
	if (!err) {
		w = find_watch(h, abs, token, &link);
		if (!w)
			err = ENOENT;
	}
	if (err)
		return fail_false(err);
	*link = w->next;
	h->nr_watches--;
	/* Without the filter flag, stale events stay queued as in libxenstore. */
	if (h->flags & XS_UNWATCH_FILTER)
		purge_events(h, w);
	free_watch(w);
	return true;
}

/* Pack an event like libxenstore: pointers, then strings, one free(). */
static char **take_event(struct xs_handle *h, unsigned int *num)
{
	struct fx_event *ev;
	size_t plen, tlen;
	char **ret;
	int err = enter(h, FX_XS_READ_WATCH, XBT_NULL);

	if (err)
		return fail_null(err);
	if (!h->ev_head)
		return fail_null(EAGAIN); /* the real call would block here */
	plen = strlen(h->ev_head->path) + 1;
	tlen = strlen(h->ev_head->token) + 1;
	ret = malloc(3 * sizeof(*ret) + plen + tlen);
	if (!ret)
		return fail_null(ENOMEM);
	ev = pop_event(h);
	ret[XS_WATCH_PATH] = (char *)(ret + 3);
	ret[XS_WATCH_TOKEN] = ret[XS_WATCH_PATH] + plen;
	ret[2] = NULL;
	memcpy(ret[XS_WATCH_PATH], ev->path, plen);
	memcpy(ret[XS_WATCH_TOKEN], ev->token, tlen);
	free_event(ev);
	if (num)
		*num = 2;
	return ret;
}

char **xs_read_watch(struct xs_handle *h, unsigned int *num)
{
	if (!num)
		return fail_null(EINVAL);
	return take_event(h, num);
}

char **xs_check_watch(struct xs_handle *h)
{
	return take_event(h, NULL);
}

/* ------------------------------------------------------------------------
 * Control API
 */

int fx_xs_write(unsigned int domid, const char *path, const char *value)
{
	char abs[FX_XS_PATH_MAX + 1];
	int err;

	if (!path || !value)
		return -EINVAL;
	if (!payload_fits(path, strlen(value)))
		return -E2BIG;
	err = canon_path(path, domid, abs);
	if (err)
		return err;
	return do_write(abs, domid, value, (unsigned int)strlen(value));
}

int fx_xs_rm(unsigned int domid, const char *path)
{
	char abs[FX_XS_PATH_MAX + 1];
	int err = canon_path(path, domid, abs);

	return err ? err : do_rm(abs);
}

const char *fx_xs_read(const char *path)
{
	char abs[FX_XS_PATH_MAX + 1];
	const struct fx_node *n;

	if (canon_path(path, fx_self_domid, abs))
		return NULL;
	n = lookup(abs);
	return n ? n->value : NULL;
}

bool fx_xs_exists(const char *path)
{
	return fx_xs_read(path) != NULL;
}

int fx_xs_fire_watch(const char *path)
{
	char abs[FX_XS_PATH_MAX + 1];
	int err = watch_path(path, abs);

	return err ? err : fire_watches(abs, false);
}

unsigned int fx_xs_dropped_events(void)
{
	return dropped_events;
}

unsigned long fx_xs_queued_events(void)
{
	return queued_events;
}

void fxi_xs_reset(void)
{
	while (handles)
		xs_close(handles);
	if (root)
		free_subtree(root);
	root = NULL;
	nr_nodes = 0;
	dropped_events = 0;
	queued_events = 0;
	next_tx = 1;
}
