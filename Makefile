# foldwise: build, test, demo.
#
#   make            build build/foldwise
#   make demo       install what is missing, build, run configs/demo.yaml
#   make check      install what is missing, build, run every test
#   make bench      side-by-side benchmarks against the peers (docs/benchmarks.md)
#   make SANITIZER=address|undefined|address,undefined   sanitizer build in build/<san>/
#
# Flags come from pkg-config. OpenBLAS is linked ahead of libgsl so that the
# cblas_* calls GSL makes resolve to OpenBLAS, not to the reference gslcblas
# that `pkg-config gsl` names and libgsl.so itself depends on
# (tests/unit/test_core.c checks which library serves cblas_dgemm).

CC      = mpicc
PKGS    = gsl yaml-0.1 hdf5
SANITIZER ?=

# Debian packages the build, the tests and the demo need.
DEB_PKGS = build-essential pkg-config libopenmpi-dev openmpi-bin libgsl-dev \
           libyaml-dev libhdf5-dev hdf5-tools libopenblas-dev libxxhash-dev \
           python3-sklearn python3-pandas python3-h5py python3-imblearn \
           python3-xgboost liblinear-tools libxml2-utils
# And for `make bench` (the peers it runs beside foldwise).
BENCH_PKGS = python3-optuna python3-xgboost r-base-core r-cran-ranger

ifeq ($(SANITIZER),)
  BUILD    ?= build
  SANFLAGS  =
else
  BUILD    ?= build/$(subst $(comma),-,$(SANITIZER))
  SANFLAGS  = -fsanitize=$(SANITIZER) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
comma := ,

# Recursively expanded on purpose: pkg-config runs when a recipe needs the
# flags, after `make deps` has installed the -dev packages.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
          -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation -Wpointer-arith -Wvla -Wundef
CFLAGS  = -std=c11 -O2 -g $(WARN) $(SANFLAGS) -Iinclude -Isrc $(PKG_CFLAGS) -MMD -MP
LDLIBS  = -Wl,--no-as-needed -lopenblas $(PKG_LIBS) -lxxhash -ldl -lm
LDFLAGS = $(SANFLAGS)

LIB_SRC   = $(filter-out src/cli/main.c,$(wildcard src/*/*.c))
LIB_OBJ   = $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC  = $(wildcard tests/unit/test_*.c)
TEST_BIN  = $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC  = $(wildcard tests/tools/*.c)
TOOL_BIN  = $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/tools/%)
LIBFW     = $(BUILD)/libfoldwise.a

export OMPI_ALLOW_RUN_AS_ROOT = 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM = 1
export OMPI_MCA_rmaps_base_oversubscribe = 1

.PHONY: all tests deps demo check unit bench clean
.DEFAULT_GOAL := all

all: $(BUILD)/foldwise

tests: $(BUILD)/foldwise $(TEST_BIN) $(TOOL_BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBFW): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/foldwise: $(BUILD)/src/cli/main.o $(LIBFW)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(BUILD)/tests/unit/harness.o $(LIBFW)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/tools/%: $(BUILD)/tests/tools/%.o $(LIBFW)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Install what is missing: apt-get as root, otherwise print the command.
deps:
	@missing=""; for p in $(DEB_PKGS) $(EXTRA_PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	echo "foldwise: missing Debian packages:$$missing"; \
	if [ "$$(id -u)" = 0 ]; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing || exit 1; \
	else \
	  echo "foldwise: run as root:  apt-get update && apt-get install -y$$missing"; exit 1; \
	fi

demo: deps
	@$(MAKE) --no-print-directory -s -j2 all
	@tests/demo.sh $(BUILD)/foldwise

# Every test: unit tests, tool-driven parity and integration tests, then the
# unit tests once more under AddressSanitizer + UndefinedBehaviorSanitizer.
check: deps
	@$(MAKE) --no-print-directory -s -j2 tests
	@$(MAKE) --no-print-directory -s -j2 tests SANITIZER=address,undefined
	@tests/run.sh $(BUILD) build/address-undefined

unit: tests
	@tests/run.sh --unit-only $(BUILD)

bench:
	@$(MAKE) --no-print-directory deps EXTRA_PKGS="$(BENCH_PKGS)"
	@$(MAKE) --no-print-directory -s -j2 all tests
	@tests/bench/run.sh $(BUILD)

clean:
	rm -rf build

-include $(wildcard $(BUILD)/src/*/*.d $(BUILD)/tests/*/*.d)
