// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "log.h"

static const char *log_component = "moat";
static enum log_level log_max_level = LOG_LEVEL_INFO;
static FILE *log_file;
static int log_file_json;

static const char *const level_names[] = { "error", "warning", "info", "debug" };

void log_setup(const char *component, enum log_level max_level)
{
	log_component = component;
	log_max_level = max_level;
}

FILE *log_set_file(FILE *f, int json)
{
	FILE *old = log_file;

	log_file = f;
	log_file_json = json;
	return old;
}

int log_level_enabled(enum log_level level) { return level <= log_max_level; }

static void log_write_json(const char *msg, enum log_level level)
{
	char ts[64];
	time_t now = time(NULL);
	struct tm tm;

	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	fputs("{\"level\":\"", log_file);
	fputs(level == LOG_LEVEL_WARNING ? "warning" : level_names[level], log_file);
	fputs("\",\"msg\":\"", log_file);
	for (const char *p = msg; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', log_file);
		if ((unsigned char)*p < 0x20)
			fprintf(log_file, "\\u%04x", *p);
		else
			fputc(*p, log_file);
	}
	fprintf(log_file, "\",\"time\":\"%s\"}\n", ts);
	fflush(log_file);
}

int log_full_errno(enum log_level level, int err, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	int saved = errno;

	err = ERRNO_VALUE(err);
	if (!log_level_enabled(level) && !log_file)
		return -err;
	va_start(ap, fmt);
	errno = err; /* so that %m works */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_level_enabled(level))
		fprintf(stderr, "%s: %s%s\n", log_component,
			level == LOG_LEVEL_WARNING ? "warning: " : "", msg);
	if (log_file) {
		if (log_file_json)
			log_write_json(msg, level);
		else
			fprintf(log_file, "%s: %s\n", log_component, msg), fflush(log_file);
	}
	errno = saved;
	return -err;
}
