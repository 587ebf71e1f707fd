# tests/soak.mk - `make soak`: the long variants of the fault and load suites
# (tests/fault/README.md, tests/load/README.md). `make check` runs the short
# ones. Host: 100 lifecycles with moat-runc killed (30 with moat-fs killed),
# 200 containers alive at once. Guest: 100 lifecycles, SOAK_VM_N containers
# alive at once with the kernel policy, in a guest of SOAK_VM_MEM.
SOAK_VM_MEM ?= 4G
SOAK_VM_N ?= 200

soak: all
	$(Q)rc=0; \
	MOAT_SOAK=1 bats --tap tests/integration/fault.bats tests/integration/load.bats || rc=1; \
	MOAT_SOAK=1 MOAT_LOAD_N=$(SOAK_VM_N) scripts/vm.sh --mem $(SOAK_VM_MEM) --disk 4G --timeout 7200 -- \
		bats --tap tests/vm/70-fault.bats tests/vm/80-load.bats || rc=1; \
	exit $$rc
