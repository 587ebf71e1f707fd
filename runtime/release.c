// SPDX-License-Identifier: LGPL-2.1-or-later
#include "error.h"
#include "fs.h"
#include "kpolicy.h"
#include "log.h"
#include "release.h"
#include "view.h"

int container_release(const struct moat_config *cfg, const struct cstate *s, char **err)
{
	_cleanup_free_ char *dir = state_path(cfg->state_dir, s->id, NULL);
	_cleanup_free_ char *views = view_dir(cfg->state_dir, s->id);
	int r, first = 0;

	if (!dir || !views)
		return error_set(err, -ENOMEM, "%m");
	r = kpolicy_unregister(cfg, s);
	if (r < 0 && r != -ENOENT) /* -ENOENT: no pins, so no map that could hold it */
		first = error_set(err, r, "cannot unregister container %s (cgroup id %llu) from the "
				  "kernel policy: %m", s->id, (unsigned long long)s->cgroup_id);
	r = view_release(views);
	if (r < 0 && first == 0)
		first = error_set(err, r, "cannot unmount the views of container %s in %s: %m",
				  s->id, views);
	r = rm_rf(views);
	if (r < 0 && r != -ENOENT && first == 0)
		first = error_set(err, r, "cannot remove %s: %m", views);
	/* Keep the record (and with it the range) while a map entry or a view is
	 * left: the next reclaim tries again. Without it they would be orphans. */
	if (first < 0)
		return first;
	(void)umount_below(dir); /* views of records written before views moved out */
	r = rm_rf(dir);
	if (r < 0 && first == 0)
		first = error_set(err, r, "cannot remove %s: %m", dir);
	return first;
}

void release_stale(const char *state_dir, struct cstate *s, void *userdata)
{
	_cleanup_free_ char *err = NULL;

	log_debug("releasing the stale state of container %s", s->id);
	if (container_release(userdata, s, &err) < 0)
		log_warning("%s", err);
}
