// SPDX-License-Identifier: LGPL-2.1-or-later
/* mountinfo.c - see mountinfo.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "mountinfo.h"

/* Undo the kernel's octal escapes of " \t\n\\" in place. */
static char *unescape(char *s)
{
	char *r = s, *w = s;

	while (*r) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = 0;
	return s;
}

int mountinfo_parse_line(char *line, struct mountinfo_entry *e)
{
	char *save = NULL, *tok, *f[6], *end, *rest;
	int n = 0;

	line[strcspn(line, "\n")] = 0;
	end = line + strlen(line);
	for (tok = strtok_r(line, " ", &save); tok && n < 6; tok = strtok_r(NULL, " ", &save))
		f[n++] = tok;
	if (n < 6)
		return -EINVAL;
	while (tok && strcmp(tok, "-") != 0) /* optional fields */
		tok = strtok_r(NULL, " ", &save);
	if (!tok)
		return -EINVAL;
	/* after " - ", split on each blank: the source may be empty
	 * (mount -t tmpfs "" DIR shows "tmpfs  rw"), which strtok_r would skip */
	rest = tok + 1 < end ? tok + 2 : NULL;
	*e = (struct mountinfo_entry){ 0 };
	e->mnt_id = atoi(f[0]);
	e->parent_id = atoi(f[1]);
	if (sscanf(f[2], "%u:%u", &e->major, &e->minor) != 2)
		return -EINVAL;
	e->root = unescape(f[3]);
	e->mount_point = unescape(f[4]);
	e->mount_opts = f[5];
	e->fstype = (tok = strsep(&rest, " ")) ? tok : "";
	e->source = (tok = strsep(&rest, " ")) ? unescape(tok) : "";
	e->super_opts = (tok = strsep(&rest, " ")) ? tok : "";
	return 0;
}

int mountinfo_foreach(FILE *f, mountinfo_cb cb, void *userdata)
{
	_cleanup_free_ char *line = NULL;
	size_t size = 0;

	while (getline(&line, &size, f) > 0) {
		struct mountinfo_entry e;
		int r = mountinfo_parse_line(line, &e);

		if (r < 0)
			return r;
		if ((r = cb(&e, userdata)) != 0)
			return r;
	}
	return 0;
}

int mountinfo_foreach_pid(pid_t pid, mountinfo_cb cb, void *userdata)
{
	char path[64];
	FILE *f;
	int r;

	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/mountinfo");
	if (!(f = fopen(path, "re")))
		return negative_errno();
	r = mountinfo_foreach(f, cb, userdata);
	fclose(f);
	return r;
}

bool mountinfo_has_option(const char *opts, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *o = opts; o && *o; o = strchr(o, ',') ? strchr(o, ',') + 1 : NULL)
		if (strncmp(o, opt, n) == 0 && (o[n] == ',' || o[n] == 0))
			return true;
	return false;
}
