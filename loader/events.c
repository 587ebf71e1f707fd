// SPDX-License-Identifier: LGPL-2.1-or-later
/* events.c - drain the "events" ring buffer into log lines. */
#include <bpf/libbpf.h>

#include "event.h"
#include "events.h"
#include "log.h"

static int handle_event(void *ctx, void *data, size_t size)
{
	FILE *out = ctx;
	char line[512];

	if (size < sizeof(struct moat_event))
		return 0;
	moat_event_format(data, line, sizeof(line));
	log_warning("%s", line);
	if (out) {
		fprintf(out, "%s\n", line);
		fflush(out);
	}
	return 0;
}

int events_follow(int events_fd, FILE *out, volatile sig_atomic_t *stop)
{
	struct ring_buffer *rb = ring_buffer__new(events_fd, handle_event, out, NULL);
	int r = 0;

	if (!rb)
		return negative_errno();
	while (!*stop) {
		r = ring_buffer__poll(rb, 500);
		if (r == -EINTR) {
			r = 0;
			continue;
		}
		if (r < 0)
			break;
		r = 0;
	}
	ring_buffer__free(rb);
	return r;
}
