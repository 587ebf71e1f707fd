// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of the moat-fs renderers, on a fake /proc, /sys and cgroup tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fsemu-fake.h"

static const char host_meminfo[] = "MemTotal:       16777216 kB\n"
				   "MemFree:         8000000 kB\n"
				   "MemAvailable:   12000000 kB\n"
				   "Buffers:           10000 kB\n"
				   "Cached:          3000000 kB\n"
				   "Active(file):    1000000 kB\n"
				   "SwapTotal:       2097152 kB\n"
				   "SwapFree:        2000000 kB\n"
				   "AnonPages:       2000000 kB\n"
				   "Shmem:             10000 kB\n"
				   "VmallocTotal:   34359738367 kB\n"
				   "HugePages_Total:       0\n";

static const char v2_stat[] = "anon 41943040\n"
			      "file 52428800\n"
			      "shmem 1048576\n"
			      "file_mapped 2097152\n"
			      "active_anon 41943040\n"
			      "inactive_anon 0\n"
			      "active_file 20971520\n"
			      "inactive_file 31457280\n"
			      "slab_reclaimable 1048576\n"
			      "slab_unreclaimable 524288\n";

static int setup(void **state)
{
	struct fake *f = fake_new();

	fake_put(f, "proc/meminfo", host_meminfo);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fake_free(*state);
	return 0;
}

static struct fake *v2_container(void **state)
{
	struct fake *f = *state;

	fake_in(f, CG_UNIFIED, "ct");
	fake_put(f, "cg/unified/ct/memory.max", "268435456\n");
	fake_put(f, "cg/unified/ct/memory.current", "104857600\n");
	fake_put(f, "cg/unified/ct/memory.stat", v2_stat);
	fake_put(f, "cg/unified/ct/memory.swap.max", "0\n");
	fake_put(f, "cg/unified/ct/memory.swap.current", "0\n");
	return f;
}

static void meminfo_v2_limit(void **state)
{
	struct fake *f = v2_container(state);

	assert_int_equal(render_meminfo(&f->ctx, &f->out), 0);
	assert_int_equal(meminfo_kb(f->out.data, "MemTotal"), 262144);
	assert_int_equal(meminfo_kb(f->out.data, "MemFree"), 262144 - 102400);
	/* free + active_file + inactive_file + slab_reclaimable */
	assert_int_equal(meminfo_kb(f->out.data, "MemAvailable"), 159744 + 51200 + 1024);
	assert_int_equal(meminfo_kb(f->out.data, "Cached"), 51200);
	assert_int_equal(meminfo_kb(f->out.data, "Buffers"), 0);
	assert_int_equal(meminfo_kb(f->out.data, "Active(file)"), 20480);
	assert_int_equal(meminfo_kb(f->out.data, "Shmem"), 1024);
	assert_int_equal(meminfo_kb(f->out.data, "SwapTotal"), 0);
	/* lines we do not compute stay the host's, in the host's format */
	assert_non_null(strstr(f->out.data, "VmallocTotal:   34359738367 kB\n"));
	assert_non_null(strstr(f->out.data, "HugePages_Total:       0\n"));
	assert_non_null(strstr(f->out.data, "MemTotal:         262144 kB\n"));
}

static void meminfo_v2_parent_limit(void **state)
{
	struct fake *f = v2_container(state);

	fake_in(f, CG_UNIFIED, "pod/ct");
	fake_put(f, "cg/unified/pod/memory.max", "134217728\n");
	fake_put(f, "cg/unified/pod/ct/memory.max", "max\n");
	fake_put(f, "cg/unified/pod/ct/memory.current", "0\n");
	fake_put(f, "cg/unified/pod/ct/memory.stat", v2_stat);
	assert_int_equal(render_meminfo(&f->ctx, &f->out), 0);
	assert_int_equal(meminfo_kb(f->out.data, "MemTotal"), 131072);
}

static void meminfo_v2_no_limit(void **state)
{
	struct fake *f = v2_container(state);

	fake_put(f, "cg/unified/ct/memory.max", "max\n");
	fake_put(f, "cg/unified/ct/memory.swap.max", "max\n");
	fake_put(f, "cg/unified/ct/memory.swap.current", "1048576\n");
	assert_int_equal(render_meminfo(&f->ctx, &f->out), 0);
	assert_int_equal(meminfo_kb(f->out.data, "MemTotal"), 16777216);
	assert_int_equal(meminfo_kb(f->out.data, "MemFree"), 16777216 - 102400);
	assert_int_equal(meminfo_kb(f->out.data, "SwapTotal"), 2097152);
	assert_int_equal(meminfo_kb(f->out.data, "SwapFree"), 2097152 - 1024);
}

static void meminfo_v1(void **state)
{
	struct fake *f = *state;

	fake_in(f, CG_UNIFIED, "");
	fake_in(f, CG_MEMORY, "docker/abc");
	fake_put(f, "cg/memory/docker/abc/memory.limit_in_bytes", "536870912\n");
	fake_put(f, "cg/memory/docker/abc/memory.usage_in_bytes", "209715200\n");
	fake_put(f, "cg/memory/docker/abc/memory.memsw.limit_in_bytes", "805306368\n");
	fake_put(f, "cg/memory/docker/abc/memory.memsw.usage_in_bytes", "220200960\n");
	fake_put(f, "cg/memory/docker/abc/memory.stat",
		 "cache 1\nrss 2\ntotal_cache 104857600\ntotal_rss 94371840\n"
		 "total_active_file 52428800\ntotal_inactive_file 41943040\n"
		 "hierarchical_memory_limit 536870912\nhierarchical_memsw_limit 805306368\n");
	assert_int_equal(render_meminfo(&f->ctx, &f->out), 0);
	assert_int_equal(meminfo_kb(f->out.data, "MemTotal"), 524288);
	assert_int_equal(meminfo_kb(f->out.data, "MemFree"), 524288 - 204800);
	assert_int_equal(meminfo_kb(f->out.data, "Cached"), 102400);
	assert_int_equal(meminfo_kb(f->out.data, "AnonPages"), 92160);
	assert_int_equal(meminfo_kb(f->out.data, "MemAvailable"), 319488 + 51200 + 40960);
	/* memsw - mem */
	assert_int_equal(meminfo_kb(f->out.data, "SwapTotal"), 262144);
	assert_int_equal(meminfo_kb(f->out.data, "SwapFree"), 262144 - 10240);
}

static void meminfo_v1_parent_limit(void **state)
{
	struct fake *f = *state;

	fake_in(f, CG_MEMORY, "pod/ct");
	fake_put(f, "cg/memory/pod/ct/memory.limit_in_bytes", "9223372036854771712\n");
	fake_put(f, "cg/memory/pod/ct/memory.usage_in_bytes", "0\n");
	fake_put(f, "cg/memory/pod/ct/memory.stat", "total_cache 0\n"
						 "hierarchical_memory_limit 268435456\n"
						 "hierarchical_memsw_limit 9223372036854771712\n");
	assert_int_equal(render_meminfo(&f->ctx, &f->out), 0);
	assert_int_equal(meminfo_kb(f->out.data, "MemTotal"), 262144);
	assert_int_equal(meminfo_kb(f->out.data, "SwapTotal"), 2097152);
}

static void meminfo_v1_unlimited(void **state)
{
	struct fake *f = *state;

	fake_in(f, CG_MEMORY, "free");
	fake_put(f, "cg/memory/free/memory.limit_in_bytes", "9223372036854771712\n");
	fake_put(f, "cg/memory/free/memory.usage_in_bytes", "1048576\n");
	fake_put(f, "cg/memory/free/memory.stat", "total_cache 0\n");
	assert_int_equal(render_meminfo(&f->ctx, &f->out), 0);
	assert_int_equal(meminfo_kb(f->out.data, "MemTotal"), 16777216);
	assert_int_equal(meminfo_kb(f->out.data, "MemFree"), 16777216 - 1024);
}

static void meminfo_host(void **state)
{
	struct fake *f = v2_container(state);

	f->ctx.is_host = 1;
	assert_int_equal(render_meminfo(&f->ctx, &f->out), 0);
	assert_string_equal(f->out.data, host_meminfo);
}

static void uptime_container(void **state)
{
	struct fake *f = *state;

	fake_in(f, CG_UNIFIED, "ct");
	fake_put(f, "cg/unified/ct/cpu.max", "200000 100000\n");
	fake_put(f, "cg/unified/ct/cpu.stat", "usage_usec 4000000\nuser_usec 3000000\n"
					      "system_usec 1000000\n");
	f->ctx.init_start = 1000;
	f->ctx.now = 1012.5;
	assert_int_equal(render_uptime(&f->ctx, &f->out), 0);
	/* 12.5 s on 2 CPUs (the quota), less 4 s of CPU time */
	assert_string_equal(f->out.data, "12.50 21.00\n");
}

static void uptime_host_pidns(void **state)
{
	struct fake *f = *state;

	fake_put(f, "proc/uptime", "5000.12 9000.34\n");
	fake_in(f, CG_UNIFIED, "ct");
	f->ctx.init_start = -1;
	assert_int_equal(render_uptime(&f->ctx, &f->out), 0);
	assert_string_equal(f->out.data, "5000.12 9000.34\n");
}

static const char host_cpuinfo[] = "processor\t: 0\nmodel name\t: Fake\n\n"
				   "processor\t: 1\nmodel name\t: Fake\n\n"
				   "processor\t: 2\nmodel name\t: Fake\n\n"
				   "processor\t: 3\nmodel name\t: Fake\n\n";

static void cpuinfo_cpuset_v1(void **state)
{
	struct fake *f = *state;

	fake_put(f, "proc/cpuinfo", host_cpuinfo);
	fake_in(f, CG_CPUSET, "ct");
	fake_put(f, "cg/cpuset/ct/cpuset.effective_cpus", "1,3\n");
	assert_int_equal(render_cpuinfo(&f->ctx, &f->out), 0);
	assert_string_equal(f->out.data, "processor\t: 1\nmodel name\t: Fake\n\n"
					 "processor\t: 3\nmodel name\t: Fake\n\n");
	buf_reset(&f->out);
	assert_int_equal(render_cpu_online(&f->ctx, &f->out), 0);
	assert_string_equal(f->out.data, "1,3\n");
}

static void cpu_online_quota(void **state)
{
	struct fake *f = *state;

	/* v2 cpuset and a quota of 1.5 CPUs: two CPUs, the lowest of the set */
	fake_in(f, CG_UNIFIED, "ct");
	fake_put(f, "cg/unified/ct/cpuset.cpus.effective", "1-3\n");
	fake_put(f, "cg/unified/ct/cpu.max", "150000 100000\n");
	assert_int_equal(render_cpu_online(&f->ctx, &f->out), 0);
	assert_string_equal(f->out.data, "1-2\n");
	/* v1 quota */
	fake_in(f, CG_UNIFIED, NULL);
	fake_in(f, CG_CPU, "ct");
	fake_put(f, "cg/cpu/ct/cpu.cfs_quota_us", "100000\n");
	fake_put(f, "cg/cpu/ct/cpu.cfs_period_us", "100000\n");
	buf_reset(&f->out);
	assert_int_equal(render_cpu_online(&f->ctx, &f->out), 0);
	assert_string_equal(f->out.data, "0\n");
	/* no quota (-1) */
	fake_put(f, "cg/cpu/ct/cpu.cfs_quota_us", "-1\n");
	buf_reset(&f->out);
	assert_int_equal(render_cpu_online(&f->ctx, &f->out), 0);
	assert_string_equal(f->out.data, "0-3\n");
}

static void stat_per_cpu(void **state)
{
	struct fake *f = *state;

	fake_put(f, "proc/stat", "cpu  400 0 400 4000 0 0 0 0 0 0\n"
				 "cpu0 100 0 100 1000 0 0 0 0 0 0\n"
				 "cpu1 100 0 100 1000 0 0 0 0 0 0\n"
				 "cpu2 100 0 100 1000 0 0 0 0 0 0\n"
				 "cpu3 100 0 100 1000 0 0 0 0 0 0\n"
				 "intr 12345\nctxt 999\nbtime 1700000000\nprocesses 42\n");
	fake_in(f, CG_CPUSET, "ct");
	fake_put(f, "cg/cpuset/ct/cpuset.effective_cpus", "2-3\n");
	fake_in(f, CG_CPUACCT, "ct");
	fake_put(f, "cg/cpuacct/ct/cpuacct.stat", "user 30\nsystem 10\n");
	/* 0.2 s user + 0.1 s system on cpu2, 0.1 s user on cpu3 */
	fake_put(f, "cg/cpuacct/ct/cpuacct.usage_all", "cpu user system\n0 0 0\n1 0 0\n"
						       "2 200000000 100000000\n"
						       "3 100000000 0\n");
	assert_int_equal(render_stat(&f->ctx, &f->out), 0);
	assert_string_equal(f->out.data, "cpu  30 0 10 2360 0 0 0 0 0 0\n"
					 "cpu2 20 0 10 1170 0 0 0 0 0 0\n"
					 "cpu3 10 0 0 1190 0 0 0 0 0 0\n"
					 "intr 12345\nctxt 999\nbtime 1700000000\nprocesses 42\n");
}

static void stat_v2_spread(void **state)
{
	struct fake *f = *state;

	fake_put(f, "proc/stat", "cpu  0 0 0 0 0 0 0 0 0 0\n"
				 "cpu0 0 0 0 1000 0 0 0 0 0 0\n"
				 "cpu1 0 0 0 1000 0 0 0 0 0 0\n"
				 "cpu2 0 0 0 1000 0 0 0 0 0 0\n"
				 "cpu3 0 0 0 1000 0 0 0 0 0 0\n");
	fake_in(f, CG_UNIFIED, "ct");
	fake_put(f, "cg/unified/ct/cpu.max", "200000 100000\n");
	fake_put(f, "cg/unified/ct/cpu.stat", "usage_usec 3000000\nuser_usec 2000000\n"
					      "system_usec 1000000\n");
	assert_int_equal(render_stat(&f->ctx, &f->out), 0);
	assert_string_equal(f->out.data, "cpu  200 0 100 1700 0 0 0 0 0 0\n"
					 "cpu0 100 0 50 850 0 0 0 0 0 0\n"
					 "cpu1 100 0 50 850 0 0 0 0 0 0\n");
}

static void loadavg_tasks(void **state)
{
	struct fake *f = *state;
	struct loadavg_state st = { { 0 }, 0 };

	fake_put(f, "proc/loadavg", "9.00 9.00 9.00 50/900 4567\n");
	fake_put(f, "proc/101/stat", "101 (sh) R 1 1 1 0\n");
	fake_put(f, "proc/102/stat", "102 (a b) S 1 1 1 0\n");
	fake_put(f, "proc/103/stat", "103 (x) y) D 1 1 1 0\n");
	fake_in(f, CG_UNIFIED, "ct");
	fake_put(f, "cg/unified/ct/cgroup.threads", "101\n");
	fake_put(f, "cg/unified/ct/sub/cgroup.threads", "102\n103\n");
	f->ctx.load = &st;
	f->ctx.init_start = 940;
	f->ctx.now = 1000;
	assert_int_equal(render_loadavg(&f->ctx, &f->out), 0);
	/* 2 runnable for the 60 s since the container started */
	assert_string_equal(f->out.data, "1.26 0.36 0.13 2/3 4567\n");
	/* 60 s later, nothing runnable: the 1 min average decays by e */
	fake_put(f, "proc/101/stat", "101 (sh) S 1 1 1 0\n");
	fake_put(f, "proc/103/stat", "103 (x) y) S 1 1 1 0\n");
	f->ctx.now = 1060;
	buf_reset(&f->out);
	assert_int_equal(render_loadavg(&f->ctx, &f->out), 0);
	assert_string_equal(f->out.data, "0.47 0.30 0.12 0/3 4567\n");
}

static void swaps_limits(void **state)
{
	struct fake *f = v2_container(state);

	fake_put(f, "cg/unified/ct/memory.swap.max", "536870912\n");
	fake_put(f, "cg/unified/ct/memory.swap.current", "104857600\n");
	assert_int_equal(render_swaps(&f->ctx, &f->out), 0);
	assert_non_null(strstr(f->out.data, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"));
	assert_non_null(strstr(f->out.data, "virtual\t\t524288\t\t102400\t\t-2\n"));
	/* no swap allowed: the header only */
	fake_put(f, "cg/unified/ct/memory.swap.max", "0\n");
	buf_reset(&f->out);
	assert_int_equal(render_swaps(&f->ctx, &f->out), 0);
	assert_string_equal(f->out.data, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
}

static const char host_diskstats[] =
	"   8       0 sda 500 1 4000 100 600 2 8000 200 0 300 300 0 0 0 0 0 0\n"
	"   8       1 sda1 400 1 3000 100 500 2 7000 200 0 300 300 0 0 0 0 0 0\n"
	" 253       0 vda 9 0 9 9 9 0 9 9 0 9 9 0 0 0 0 0 0\n";

static void diskstats_v2(void **state)
{
	struct fake *f = *state;

	fake_put(f, "proc/diskstats", host_diskstats);
	fake_in(f, CG_UNIFIED, "ct");
	fake_put(f, "cg/unified/ct/io.stat",
		 "8:0 rbytes=1048576 wbytes=4096 rios=10 wios=2 dbytes=0 dios=0\n");
	assert_int_equal(render_diskstats(&f->ctx, &f->out), 0);
	assert_string_equal(f->out.data, "   8       0 sda 10 0 2048 0 2 0 8 0 0 0 0 0 0 0 0 0 0\n");
}

static void diskstats_v1(void **state)
{
	struct fake *f = *state;

	fake_put(f, "proc/diskstats", host_diskstats);
	fake_in(f, CG_BLKIO, "ct");
	fake_put(f, "cg/blkio/ct/blkio.throttle.io_serviced_recursive",
		 "253:0 Read 7\n253:0 Write 3\n253:0 Sync 10\n253:0 Total 10\nTotal 10\n");
	fake_put(f, "cg/blkio/ct/blkio.throttle.io_service_bytes_recursive",
		 "253:0 Read 5120\n253:0 Write 1024\nTotal 6144\n");
	assert_int_equal(render_diskstats(&f->ctx, &f->out), 0);
	assert_string_equal(f->out.data, " 253       0 vda 7 0 10 0 3 0 2 0 0 0 0 0 0 0 0 0 0\n");
	/* no accounting: the host's */
	fake_in(f, CG_BLKIO, NULL);
	buf_reset(&f->out);
	assert_int_equal(render_diskstats(&f->ctx, &f->out), 0);
	assert_string_equal(f->out.data, host_diskstats);
}

static void cgroup_paths(void **state)
{
	struct cg_paths p, q;
	char *key;

	(void)state;
	assert_int_equal(cg_paths_parse("12:pids:/a\n4:memory:/docker/x\n2:cpu,cpuacct:/docker/x\n"
					"1:name=systemd:/y\n0::/docker/x\n",
					&p),
			 0);
	assert_string_equal(p.path[CG_UNIFIED], "docker/x");
	assert_string_equal(p.path[CG_MEMORY], "docker/x");
	assert_string_equal(p.path[CG_CPU], "docker/x");
	assert_string_equal(p.path[CG_CPUACCT], "docker/x");
	assert_null(p.path[CG_CPUSET]);
	assert_false(cg_paths_is_root(&p));
	key = cg_paths_key(&p);
	assert_string_equal(key, "8:docker/x;8:docker/x;8:docker/x;8:docker/x;-;-;");
	assert_int_equal(cg_paths_from_key(key, &q), 0);
	for (int c = 0; c < CG_NR; c++)
		assert_true(p.path[c] == q.path[c] || strcmp(p.path[c], q.path[c]) == 0);
	free(key);
	cg_paths_free(&p);
	cg_paths_free(&q);
	assert_int_equal(cg_paths_parse("4:memory:/\n0::/\n", &p), 0);
	assert_true(cg_paths_is_root(&p));
	cg_paths_free(&p);
	assert_int_equal(cg_paths_from_key("3:abc;", &p), -EINVAL);
}

static void cpusets(void **state)
{
	struct cpuset s;
	struct buf b = { 0 };

	(void)state;
	assert_int_equal(cpuset_parse("0-2,5,7-8\n", &s), 0);
	assert_int_equal(cpuset_count(&s), 6);
	assert_int_equal(cpuset_format(&s, &b), 0);
	assert_string_equal(b.data, "0-2,5,7-8");
	cpuset_keep_first(&s, 4);
	buf_reset(&b);
	cpuset_format(&s, &b);
	assert_string_equal(b.data, "0-2,5");
	assert_int_equal(cpuset_parse("1-x", &s), -EINVAL);
	assert_int_equal(cpuset_parse("3-1", &s), -EINVAL);
	assert_int_equal(cpuset_parse("99999", &s), -ERANGE);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(meminfo_v2_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(meminfo_v2_parent_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(meminfo_v2_no_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(meminfo_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(meminfo_v1_parent_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(meminfo_v1_unlimited, setup, teardown),
		cmocka_unit_test_setup_teardown(meminfo_host, setup, teardown),
		cmocka_unit_test_setup_teardown(uptime_container, setup, teardown),
		cmocka_unit_test_setup_teardown(uptime_host_pidns, setup, teardown),
		cmocka_unit_test_setup_teardown(cpuinfo_cpuset_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(cpu_online_quota, setup, teardown),
		cmocka_unit_test_setup_teardown(stat_per_cpu, setup, teardown),
		cmocka_unit_test_setup_teardown(stat_v2_spread, setup, teardown),
		cmocka_unit_test_setup_teardown(loadavg_tasks, setup, teardown),
		cmocka_unit_test_setup_teardown(swaps_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(diskstats_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(diskstats_v1, setup, teardown),
		cmocka_unit_test(cgroup_paths),
		cmocka_unit_test(cpusets),
	};

	return cmocka_run_group_tests_name("fsemu-render", tests, NULL, NULL);
}
