# lx4: an L4-style microkernel for x86-64 and its user-level world.
#
#   make          build the kernel, the root task and the in-guest programs
#   make run      boot lx4 in QEMU (interactive)
#   make test     build and run every test; ends with "N passed, N failed"
#   make bench    measure (guest instructions under -icount shift=0)
#   make debug    boot under QEMU's gdb stub, stopped at the first instruction
#
# CONFIG=micro (the default: the Linux server is a user task), coloc (the
# same server in the kernel's protection domain, still reached by IPC) or
# mono (the same server linked into the kernel and called directly).
# micro builds in BASE (build), the others their kernel, root task and
# server in BASE-CONFIG; the Linux programs are BASE's.  `make run
# CONFIG=mono` is a shell on mono; `make test` runs the Linux-ABI suite on
# every configuration.

CONFIG ?= micro
CONFIGS := micro coloc mono
comma := ,
BASE ?= build
ifeq ($(CONFIG),micro)
B ?= $(BASE)
else ifneq ($(filter $(CONFIG),$(CONFIGS)),)
B ?= $(BASE)-$(CONFIG)
else
$(error CONFIG is one of $(CONFIGS), not $(CONFIG))
endif
# the architecture: its code in kernel/arch/$(ARCH), its headers reached as
# <arch/...> from kernel/arch/$(ARCH)/include
ARCH := x86_64
ARCH_INC := -Ikernel/arch/$(ARCH)/include
CC := gcc
LD := ld
PYTHON := /usr/bin/python3

WARN := -Wall -Wextra -Werror
COMMON := -std=gnu11 -O2 -g $(WARN) -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables -Iinclude -MMD -MP
KCFLAGS := $(COMMON) -mcmodel=kernel -mno-red-zone -mgeneral-regs-only -mno-sse -mno-mmx \
	-fno-strict-aliasing -fcf-protection=none -Ikernel $(ARCH_INC)
UCFLAGS := $(COMMON) -Ilib -fcf-protection=none
KASFLAGS := -Iinclude -MMD -MP
LDFLAGS_USER := -nostdlib -static -z noexecstack -z max-page-size=4096 -T lib/user.ld

KERNEL_C := $(wildcard kernel/*.c kernel/arch/$(ARCH)/*.c) lib/fmt.c lib/elf.c
KERNEL_S := $(wildcard kernel/arch/$(ARCH)/*.S)
KERNEL_OBJ := $(patsubst %.c,$(B)/k/%.o,$(KERNEL_C)) $(patsubst %.S,$(B)/k/%.o,$(KERNEL_S))
# the server's handlers, and the backend of the configuration
# (arranged by subsystem: the event loop, the table and the heap in server/,
# the rest in server/fs, mm, proc, time, ipc and dev; every header is found
# by its name alone)
SERVER_DIRS := server server/fs server/mm server/proc server/time server/ipc server/dev server/net
SERVER_C := $(wildcard $(addsuffix /*.c,$(SERVER_DIRS)))
SERVER_INC := $(addprefix -I,$(SERVER_DIRS))
# mono and coloc: linked into the kernel (built with the kernel's code
# model); server.elf is the stub that hands it its memory.  mono's backend
# calls the kernel; coloc's is micro's, its threads in ring 0.
ifeq ($(CONFIG),mono)
KCFLAGS += -DCONFIG_MONO=1
KS_DEFS := -DCONFIG_MONO=1
KERNEL_OBJ += $(patsubst %.c,$(B)/ks/%.o,$(SERVER_C) server/platform/mono.c server/platform/inkernel.c)
SERVER_OBJ := $(B)/u/server/platform/stub.o
else ifeq ($(CONFIG),coloc)
KCFLAGS += -DCONFIG_COLOC=1
KS_DEFS := -DCONFIG_COLOC=1 -DPLAT_COLOC=1
KERNEL_OBJ += $(patsubst %.c,$(B)/ks/%.o,$(SERVER_C) server/platform/micro.c server/platform/coloc.c \
	server/platform/inkernel.c)
SERVER_OBJ := $(B)/u/server/platform/stub.o
else
SERVER_OBJ := $(patsubst %.c,$(B)/us/%.o,$(SERVER_C) server/platform/micro.c)
endif

LIB_OBJ := $(patsubst %.c,$(B)/u/%.o,$(wildcard lib/*.c)) $(B)/u/lib/crt0.o
ROOT_OBJ := $(patsubst %.c,$(B)/u/%.o,$(wildcard root/*.c))
KTEST_OBJ := $(patsubst %.c,$(B)/u/%.o,$(wildcard tests/kernel/*.c))
KBENCH_OBJ := $(patsubst %.c,$(B)/ub/%.o,$(wildcard bench/kernel/*.c) tests/kernel/main.c tests/kernel/util.c)

# Linux programs (static, musl): the tests of tests/linux and the /init of
# the Linux reference runs
MUSL_CC := musl-gcc
LINUX_CFLAGS := -static -O2 -g -Wall -Wextra -Werror -std=gnu11 -MMD -MP
LINUX_TESTS := $(patsubst tests/linux/%.c,$(B)/linux/%,$(filter-out tests/linux/lx4-init.c,$(wildcard tests/linux/*.c)))
# dynamically linked glibc programs (gcc's default PIE): tests/linux/glibc,
# at /tests/glibc_NAME; a case names a Debian program whose libraries they
# need (tests/linux/cases.py "host")
GLIBC_TESTS := $(patsubst tests/linux/glibc/%.c,$(B)/linux/glibc_%,$(wildcard tests/linux/glibc/*.c))
# the Linux-level benchmarks (bench/linux), at /bench in the initramfs:
# lxbench (its parts linked from $(B)/bench-obj), the tiny program that
# fork_exec_wait runs and the scripts of the macro workloads
LXBENCH_OBJ := $(patsubst bench/linux/%.c,$(B)/bench-obj/%.o,$(filter-out bench/linux/exit0.c,$(wildcard bench/linux/*.c)))
LINUX_BENCH := $(B)/bench-linux/lxbench $(B)/bench-linux/exit0 \
	$(patsubst bench/linux/%.sh,$(B)/bench-linux/%.sh,$(wildcard bench/linux/*.sh))

IMAGES := $(B)/kernel32.elf $(B)/root.elf $(B)/ktest.elf $(B)/kbench.elf $(B)/server.elf \
	$(LINUX_TESTS) $(GLIBC_TESTS) $(LINUX_BENCH) $(B)/linux-init/lx4-init

.PHONY: all run test bench debug clean format unit deps images configs
all: $(IMAGES)
# what a configuration adds to BASE's programs
images: $(B)/kernel32.elf $(B)/root.elf $(B)/server.elf $(B)/ktest.elf $(B)/kbench.elf
# every configuration's images, and BASE's programs
configs:
	$(MAKE) CONFIG=micro BASE=$(BASE) all
	$(foreach c,$(filter-out micro,$(CONFIGS)),$(MAKE) CONFIG=$(c) BASE=$(BASE) images &&) true

$(B)/k/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -c $< -o $@
# The IPC fast paths are called only from entry.S, which restores every
# register from the thread's frame afterwards (the page fault's through
# trap_user and fault_page, in tail position): they need not preserve the
# callee-saved registers (no prologue pushes on the hot path).
$(B)/k/kernel/fastpath.o: KCFLAGS += -fcall-used-rbx -fcall-used-r12 -fcall-used-r13 -fcall-used-r14 \
	-fcall-used-r15
$(B)/k/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KASFLAGS) -c $< -o $@
$(B)/u/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -c $< -o $@
# the native runtime and the benchmark image use no FPU/SSE registers, so
# that what the benchmarks measure is not the lazy FPU switch
$(B)/u/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -mgeneral-regs-only -c $< -o $@
$(B)/ub/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -mgeneral-regs-only -c $< -o $@
# the Linux server: no FPU/SSE code either (a process's FPU state stays
# loaded across its system calls); the syscall names come from the
# installed <asm/unistd_64.h>
$(B)/us/%.o: %.c | $(B)/gen/syscall_names.inc
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -mgeneral-regs-only $(SERVER_INC) -I$(B)/gen -c $< -o $@
# the server in the kernel (mono, coloc): the kernel's code model, the server's
# includes; its backend sees the kernel's headers
KSCFLAGS := $(COMMON) -mcmodel=kernel -mno-red-zone -mgeneral-regs-only -mno-sse -mno-mmx \
	-fcf-protection=none $(KS_DEFS) -Ilib
$(B)/ks/server/platform/%.o: server/platform/%.c
	@mkdir -p $(dir $@)
	$(CC) $(KSCFLAGS) -Ikernel $(ARCH_INC) -c $< -o $@
$(B)/ks/%.o: %.c | $(B)/gen/syscall_names.inc
	@mkdir -p $(dir $@)
	$(CC) $(KSCFLAGS) $(SERVER_INC) -I$(B)/gen -c $< -o $@
$(B)/gen/syscall_names.inc: tools/gen_syscall_names.py
	@mkdir -p $(dir $@)
	$(PYTHON) tools/gen_syscall_names.py > $@
$(B)/u/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KASFLAGS) -c $< -o $@

# the kernel is linked twice: the second link adds the symbol table for
# backtraces after everything else, so no address moves
$(B)/ksyms0.S: tools/ksyms.py
	@mkdir -p $(B)
	$(PYTHON) tools/ksyms.py > $@
$(B)/kernel.pass1.elf: $(KERNEL_OBJ) $(B)/k/ksyms0.o kernel/arch/$(ARCH)/kernel.ld
	$(LD) -n -z max-page-size=4096 --no-warn-rwx-segments -T kernel/arch/$(ARCH)/kernel.ld -o $@ $(KERNEL_OBJ) $(B)/k/ksyms0.o
$(B)/k/ksyms0.o: $(B)/ksyms0.S
	$(CC) -c $< -o $@
$(B)/ksyms.S: $(B)/kernel.pass1.elf tools/ksyms.py
	$(PYTHON) tools/ksyms.py $< > $@
$(B)/k/ksyms.o: $(B)/ksyms.S
	$(CC) -c $< -o $@
$(B)/kernel.elf: $(KERNEL_OBJ) $(B)/k/ksyms.o kernel/arch/$(ARCH)/kernel.ld
	$(LD) -n -z max-page-size=4096 --no-warn-rwx-segments -T kernel/arch/$(ARCH)/kernel.ld -o $@ $(KERNEL_OBJ) $(B)/k/ksyms.o
# QEMU's multiboot loader takes only 32-bit ELF files
$(B)/kernel32.elf: $(B)/kernel.elf
	objcopy -O elf32-i386 $< $@

$(B)/liblx4.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^
$(B)/root.elf: $(ROOT_OBJ) $(B)/liblx4.a lib/user.ld
	$(LD) $(LDFLAGS_USER) -o $@ $(B)/u/lib/crt0.o $(ROOT_OBJ) $(B)/liblx4.a
$(B)/ktest.elf: $(KTEST_OBJ) $(B)/liblx4.a lib/user.ld
	$(LD) $(LDFLAGS_USER) -o $@ $(B)/u/lib/crt0.o $(KTEST_OBJ) $(B)/liblx4.a
$(B)/server.ld: lib/user.ld
	@mkdir -p $(B)
	sed 's/^\t\. = 0x400000;/\t. = 0x10000000;/' $< > $@
$(B)/server.elf: $(SERVER_OBJ) $(B)/liblx4.a $(B)/server.ld
	$(LD) $(subst lib/user.ld,$(B)/server.ld,$(LDFLAGS_USER)) -o $@ $(B)/u/lib/crt0.o $(SERVER_OBJ) $(B)/liblx4.a
$(B)/kbench.elf: $(KBENCH_OBJ) $(B)/liblx4.a lib/user.ld
	$(LD) $(LDFLAGS_USER) -o $@ $(B)/u/lib/crt0.o $(KBENCH_OBJ) $(B)/liblx4.a

$(B)/linux/%: tests/linux/%.c
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(LINUX_CFLAGS) -o $@ $<
$(B)/linux/glibc_%: tests/linux/glibc/%.c
	@mkdir -p $(dir $@)
	gcc -O2 -g -Wall -Wextra -Werror -std=gnu11 -MMD -MP -o $@ $<
$(B)/bench-obj/%.o: bench/linux/%.c
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(LINUX_CFLAGS) -c -o $@ $<
$(B)/bench-linux/lxbench: $(LXBENCH_OBJ)
	@mkdir -p $(dir $@)
	$(MUSL_CC) -static -o $@ $^
$(B)/bench-linux/exit0: bench/linux/exit0.c
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(LINUX_CFLAGS) -o $@ $<
$(B)/bench-linux/%.sh: bench/linux/%.sh
	@mkdir -p $(dir $@)
	cp $< $@
$(B)/linux-init/lx4-init: tests/linux/lx4-init.c
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(LINUX_CFLAGS) -o $@ $<

deps:
	@sh tools/deps

run: deps configs
	$(PYTHON) tools/lx4 run --config $(CONFIG) --build $(BASE)

debug: deps all
	$(PYTHON) tools/lx4 boot --interactive --gdb

unit: deps
	$(MAKE) -C tests/unit B=$(abspath $(B))/unit ARCH=$(ARCH)

test: deps configs
	$(MAKE) -C tests/unit B=$(abspath $(BASE))/unit ARCH=$(ARCH)
	$(PYTHON) tools/test.py --build $(BASE) --configs $(subst $(eval) ,$(comma),$(CONFIGS))

bench: deps configs
	$(PYTHON) tools/bench.py --build $(BASE)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BASE) $(foreach c,$(filter-out micro,$(CONFIGS)),$(BASE)-$(c))

-include $(shell find $(B) -name '*.d' 2>/dev/null)
