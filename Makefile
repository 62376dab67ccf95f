# The README's two commands: `make local` (run the stack on emulators) and `make test` (everything).
# Every target installs what it needs through scripts/setup.sh, cached under .cache/.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CACHE := $(CURDIR)/.cache
export TF_CLI_CONFIG_FILE := $(CACHE)/terraformrc
export PATH := $(CACHE)/bin:$(PATH)
export BC_SKIP_MAPPING := TRUE
export MOTO_SERVER_BIN ?= $(CACHE)/venv-moto/bin/moto_server
export CHECKOV_BIN ?= $(CACHE)/venv-checkov/bin/checkov
# Where scripts/setup.sh installs tflint's AWS ruleset (and where `tflint --init` would).
export TFLINT_PLUGIN_DIR ?= $(CACHE)/tflint.d/plugins
# This machine's Node is 20 (the bundles target it); Lambda runs nodejs22.x. The SDK's notice about
# future SDK releases needing Node 22 would repeat in every test process.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED := true
# Each test tier is the package.json script of the same name (its timeout and settings live there).
TEST_RUN := npm run --silent

.PHONY: help local demo bench setup build typecheck test test-all-but-e2e test-unit test-integration test-e2e test-infra fmt docs lint checkov redrive recount replay generate clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

local: ## Run the whole stack on local emulators (terraform apply + local runtime) until Ctrl-C
	@scripts/setup.sh node
	@scripts/setup.sh moto
	@scripts/setup.sh terraform
	@scripts/setup.sh redis
	@start=$$(date +%s%N); node build.mjs; LOCAL_BUILD_SECONDS=$$(( ($$(date +%s%N) - start) / 1000000 ))e-3 npx tsx local/main.ts

demo: ## Send sample traffic through every pipeline of the running `make local` and show where it went
	@scripts/setup.sh node
	@npx tsx local/demo.ts

bench: ## Benchmarks: ETL rows/s vs csv-parse alone, peak memory, calls per row, word-count time; reliable-messaging ingest vs S3 PutObject; streaming-events records/s and calls per event; every handler's zip size, load over bare node and cold-start init (with SDK floors); cost per million inputs and first limits per pipeline
	@scripts/setup.sh node
	@scripts/setup.sh moto
	@scripts/setup.sh redis
	@node build.mjs > /dev/null
	@npx tsx bench/run.ts
	@npx tsx bench/csv-reader.ts
	@npx tsx bench/reliable-messaging.ts
	@npx tsx bench/streaming-events.ts
	@npx tsx bench/handlers.ts
	@npx tsx bench/cost.ts

setup: ## Install npm packages, checkov, moto and the Terraform provider config (idempotent)
	@scripts/setup.sh all

build: ## Bundle every handler into a deterministic zip under dist/; fails when a zip passes its size budget
	@scripts/setup.sh node
	@node build.mjs

typecheck: ## Strict TypeScript check of functions, local runtime, scripts, bench and tests
	@scripts/setup.sh node
	@npx tsc --noEmit

# Two chains at once on the two cores: the end-to-end tier alone (the longest: the 10,000-event run), and
# beside it every other tier one after the other (type check, unit, the Terraform/lint/checkov gate,
# integration). Each chain's output is printed whole when it ends; either failing fails make test.
test: setup build ## Run every test tier and gate
	@$(MAKE) --no-print-directory -j2 --output-sync=recurse test-all-but-e2e test-e2e
	@echo "make test: all tiers passed"

test-all-but-e2e: ## Type check, unit, infra gate and integration tests, one after the other
	@for tier in typecheck test-unit test-infra test-integration; do $(MAKE) --no-print-directory $$tier; done

test-unit: ## Unit tests (stubbed clients)
	@scripts/setup.sh node
	@$(TEST_RUN) test:unit

test-integration: ## Integration tests against a real moto server (and redis-server) on loopback
	@scripts/setup.sh moto
	@scripts/setup.sh redis
	@scripts/setup.sh terraform
	@node build.mjs > /dev/null
	@$(TEST_RUN) test:integration

test-e2e: ## End to end: terraform apply of infra/local on moto, the local runtime, HTTP requests
	@scripts/setup.sh moto
	@scripts/setup.sh redis
	@scripts/setup.sh terraform
	@node build.mjs > /dev/null
	@$(TEST_RUN) test:e2e

test-infra: ## terraform fmt/validate/test of every configuration, README tables, tflint and checkov (zero findings)
	@scripts/setup.sh terraform
	@scripts/setup.sh terraform-docs
	@scripts/setup.sh tflint
	@scripts/setup.sh checkov
	@$(TEST_RUN) test:infra

fmt: ## Format the Terraform code
	@terraform fmt -recursive infra

docs: ## Regenerate the tables (terraform-docs) of the module and pipeline READMEs
	@scripts/setup.sh terraform-docs
	@for dir in infra/modules/*/ infra/pipelines/*/; do terraform-docs --config .terraform-docs.yml "$$dir"; done

lint: ## tflint with the AWS ruleset over every Terraform configuration under infra/ (.tflint.hcl)
	@scripts/setup.sh tflint
	@cd infra && tflint --recursive --config="$(CURDIR)/.tflint.hcl"

# Two scans: one over both roots renders the stack's modules for both together (90 s); apart, about 21 s
# each, and together they report every result of the single scan (test/infra/terraform.test.ts does the same).
checkov: ## Run checkov over infra/ with .checkov.yaml (infra/ and the emulator root infra/local, scanned apart)
	@scripts/setup.sh checkov
	@$(CHECKOV_BIN) --config-file .checkov.yaml --skip-path infra/local
	@$(CHECKOV_BIN) --config-file .checkov.yaml --directory infra/local

# $(call tf-output,<pipeline>,<attribute>): a shell command printing one attribute of a pipeline's entry in
# the `pipelines` output of infra/ (e.g. storage_first dlq_url); fails when that pipeline is not deployed.
tf-output = terraform -chdir=infra output -json pipelines | node -e 'const p = JSON.parse(require("fs").readFileSync(0, "utf8"))["$(1)"]; if (p?.["$(2)"] === undefined) { console.error("no $(2) for pipeline $(1) in terraform -chdir=infra output pipelines"); process.exit(1); } process.stdout.write(String(p["$(2)"]))'

# Moves messages from the storage-first DLQ back to its queue. Reads both URLs from the `pipelines`
# output of infra/ unless DLQ_URL and QUEUE_URL are given. DRY_RUN=1 only counts.
redrive: ## Redrive the storage-first DLQ (DRY_RUN=1 to count only; DLQ_URL=/QUEUE_URL= to override)
	@scripts/setup.sh node
	@dlq="$${DLQ_URL:-$$($(call tf-output,storage_first,dlq_url))}"; \
	 to="$${QUEUE_URL:-$$($(call tf-output,storage_first,queue_url))}"; \
	 npx tsx scripts/redrive.ts --dlq "$$dlq" --to "$$to" $(if $(DRY_RUN),--dry-run,)

recount: ## Send a count request for every note without a count of its current version (DRY_RUN=1 to count only; TABLE=/QUEUE_URL= to override)
	@scripts/setup.sh node
	@table="$${TABLE:-$$($(call tf-output,notes,table_name))}"; \
	 queue="$${QUEUE_URL:-$$($(call tf-output,notes,queue_url))}"; \
	 npx tsx scripts/recount.ts --table "$$table" --queue "$$queue" $(if $(MIN_AGE_SECONDS),--min-age-seconds $(MIN_AGE_SECONDS),) $(if $(DRY_RUN),--dry-run,)

replay: ## Re-submit the reliable-messaging salvage bucket through its API (DRY_RUN=1 to count only; MAX=N; BUCKET=/URL= to override)
	@scripts/setup.sh node
	@bucket="$${BUCKET:-$$($(call tf-output,reliable_messaging,salvage_bucket))}"; \
	 url="$${URL:-$$($(call tf-output,reliable_messaging,endpoint_url))}"; \
	 npx tsx scripts/replay-salvage.ts --bucket "$$bucket" --url "$$url" $(if $(MAX),--max $(MAX),) $(if $(DRY_RUN),--dry-run,)

# $(call local-output,<pipeline>,<attribute>): the same from the running `make local` (.cache/local/session.json).
local-output = node -e 'const f = ".cache/local/session.json"; let s; try { s = JSON.parse(require("fs").readFileSync(f, "utf8")); } catch { console.error("no running stack: start make local and wait for Ready"); process.exit(1); } const v = s.pipelines?.["$(1)"]?.["$(2)"]; if (v === undefined) { console.error("no $(2) for pipeline $(1) in the running make local"); process.exit(1); } process.stdout.write(String(v))'

# Sends generated order events (non-ASCII text, same-millisecond events, duplicates, invalid records) into
# the streaming-events pipeline. LOCAL=1 sends to the running `make local` (its emulator, test credentials).
generate: ## Send N generated events (default 1000) to streaming-events VIA=firehose|sqs at RATE/s (0: as fast as accepted); LOCAL=1 for `make local`; SEED= to repeat a run
	@scripts/setup.sh node
	@if [ -n "$(LOCAL)" ]; then \
	   export AWS_ENDPOINT_URL="$$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(".cache/local/session.json", "utf8")).emulatorEndpoint)')" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1; \
	   stream="$${STREAM:-$$($(call local-output,streaming_events,delivery_stream_name))}"; queue="$${QUEUE_URL:-$$($(call local-output,streaming_events,queue_url))}"; \
	 else \
	   stream="$${STREAM:-$$($(call tf-output,streaming_events,delivery_stream_name))}"; queue="$${QUEUE_URL:-$$($(call tf-output,streaming_events,queue_url))}"; \
	 fi; \
	 npx tsx scripts/generate-events.ts --via $(or $(VIA),firehose) --count $(or $(N),1000) --rate $(or $(RATE),0) --stream "$$stream" --queue "$$queue" $(if $(SEED),--seed $(SEED),)

clean: ## Remove build output (keeps the .cache/ toolchain)
	@rm -rf dist
