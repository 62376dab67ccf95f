#!/usr/bin/env bash
# Idempotent toolchain setup, cached under .cache/. Called by `make setup` (and so by `make test`,
# `make local`). Safe to run repeatedly: each step checks a stamp or the tool before doing work.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE="$ROOT/.cache"
mkdir -p "$CACHE"

CHECKOV_VERSION=3.3.30
MOTO_VERSION=5.2.5
TERRAFORM_VERSION=1.11.4
AWS_PROVIDER_VERSION=5.100.0
TERRAFORM_DOCS_VERSION=0.21.0
TFLINT_VERSION=0.55.0
# The AWS ruleset's version is pinned once, in .tflint.hcl (where `tflint --init` reads it too).
TFLINT_RULESET_AWS_VERSION=$(sed -n '/^plugin "aws"/,/^}/s/^ *version *= *"\(.*\)"/\1/p' "$ROOT/.tflint.hcl")
TFLINT_PLUGIN_DIR=${TFLINT_PLUGIN_DIR:-$CACHE/tflint.d/plugins}

log() { printf '[setup] %s\n' "$*" >&2; }

stamp_matches() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

npm_packages() {
  local want
  want=$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)
  if stamp_matches "$CACHE/npm.stamp" "$want" && [ -d "$ROOT/node_modules" ]; then return; fi
  log "installing npm packages (npm ci)"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$CACHE/npm.stamp"
}

python_venv() { # name, pip spec, binary to check
  local venv="$CACHE/venv-$1"
  if stamp_matches "$venv/.stamp" "$2" && [ -x "$venv/bin/$3" ]; then return; fi
  log "installing $2 into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$2"
  echo "$2" > "$venv/.stamp"
}

terraform_cli() {
  if command -v terraform >/dev/null 2>&1; then return; fi
  if [ -x "$CACHE/bin/terraform" ]; then return; fi
  log "terraform not found: building $TERRAFORM_VERSION from the Go module proxy"
  GOBIN="$CACHE/bin" go install "github.com/hashicorp/terraform@v$TERRAFORM_VERSION"
}

registry_reachable() {
  curl -fsS --max-time 5 -o /dev/null "https://registry.terraform.io/.well-known/terraform.json" 2>/dev/null
}

# Finds an unpacked provider mirror (registry.terraform.io/hashicorp/aws/<v>/<os_arch>/...) on disk.
find_provider_mirror() {
  local candidate
  for candidate in "${TF_PROVIDER_MIRROR:-}" /opt/tf-plugins /usr/share/terraform/plugins \
    "$HOME/.terraform.d/plugins" "$CACHE/provider-mirror"; do
    [ -n "$candidate" ] || continue
    if compgen -G "$candidate/registry.terraform.io/hashicorp/aws/*/linux_amd64/terraform-provider-aws*" >/dev/null; then
      echo "$candidate"; return
    fi
  done
}

build_provider_mirror() {
  local dir="$CACHE/provider-mirror/registry.terraform.io/hashicorp/aws/$AWS_PROVIDER_VERSION/linux_amd64"
  log "no provider mirror and no registry: building terraform-provider-aws $AWS_PROVIDER_VERSION from the Go module proxy (slow, once)"
  mkdir -p "$dir"
  GOBIN="$dir" go install "github.com/hashicorp/terraform-provider-aws@v$AWS_PROVIDER_VERSION"
  mv "$dir/terraform-provider-aws" "$dir/terraform-provider-aws_v${AWS_PROVIDER_VERSION}_x5"
}

# Writes the Terraform CLI config the Makefile exports as TF_CLI_CONFIG_FILE. With a reachable
# registry it only shares a plugin cache; offline it installs hashicorp/aws from a local mirror.
# Without a lock file entry (this repository commits none: .gitignore) Terraform 1.4+ installs the
# provider again and writes it into the cache on every init; make test runs inits side by side, and two
# writers of one cache entry fail ("failed to create directory ... file exists"). With
# plugin_cache_may_break_dependency_lock_file the cache filled by setup is only read.
terraform_cli_config() {
  local rc="$CACHE/terraformrc" mirror new
  mkdir -p "$CACHE/tf-plugin-cache"
  new=$(mktemp "$rc.XXXXXX") # make test's two chains may run this at the same time
  if registry_reachable; then
    printf 'plugin_cache_dir = "%s"\nplugin_cache_may_break_dependency_lock_file = true\n' "$CACHE/tf-plugin-cache" > "$new"
  else
    mirror=$(find_provider_mirror)
    if [ -z "$mirror" ]; then build_provider_mirror; mirror="$CACHE/provider-mirror"; fi
    cat > "$new" <<RC
plugin_cache_dir = "$CACHE/tf-plugin-cache"
plugin_cache_may_break_dependency_lock_file = true
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
RC
  fi
  if ! cmp -s "$new" "$rc"; then chmod 0644 "$new" && mv "$new" "$rc"; log "wrote $rc"; else rm "$new"; fi
}

# Terraform's plugin cache is not safe for concurrent writers: fill it once here, so the test tiers
# that run side by side (make test) only ever read it.
terraform_plugin_cache() {
  local work
  if [ -d "$CACHE/tf-plugin-cache/registry.terraform.io/hashicorp/aws/$AWS_PROVIDER_VERSION" ]; then return; fi
  log "filling the Terraform plugin cache with hashicorp/aws $AWS_PROVIDER_VERSION"
  work=$(mktemp -d)
  printf 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "%s" }\n  }\n}\n' "$AWS_PROVIDER_VERSION" > "$work/main.tf"
  (cd "$work" && TF_CLI_CONFIG_FILE="$CACHE/terraformrc" PATH="$CACHE/bin:$PATH" terraform init -backend=false -input=false > init.log 2>&1) || { cat "$work/init.log" >&2; rm -rf "$work"; return 1; }
  rm -rf "$work"
}

# Builds a Go command at a pinned version into a file. Not `go install <module>@<version>`: that also
# reads the module's list of versions (to report deprecations), and the module proxy of this
# project's machines refuses that list for terraform-docs and tflint-ruleset-aws (403) while it serves
# the pinned versions. A throwaway module that requires the pinned one builds the same dependency set.
go_build() { # module, version (vX.Y.Z), package, output file
  local work
  work=$(mktemp -d)
  (
    cd "$work"
    go mod init setup.local/tool >/dev/null 2>&1
    GOFLAGS=-mod=mod go get "$1@$2" > get.log 2>&1 || { cat get.log >&2; exit 1; }
    mkdir -p "$(dirname "$4")"
    go build -trimpath -o "$4.new" "$3"
  ) || { rm -rf "$work"; return 1; }
  rm -rf "$work"
  mv "$4.new" "$4"
}

terraform_docs() { # writes the input/output tables of the module READMEs (make docs, infra tier)
  if stamp_matches "$CACHE/bin/.terraform-docs.stamp" "$TERRAFORM_DOCS_VERSION" && [ -x "$CACHE/bin/terraform-docs" ]; then return; fi
  log "building terraform-docs $TERRAFORM_DOCS_VERSION from the Go module proxy"
  go_build github.com/terraform-docs/terraform-docs "v$TERRAFORM_DOCS_VERSION" \
    github.com/terraform-docs/terraform-docs "$CACHE/bin/terraform-docs"
  echo "$TERRAFORM_DOCS_VERSION" > "$CACHE/bin/.terraform-docs.stamp"
}

# tflint and its AWS ruleset. The ruleset goes where `tflint --init` installs it
# (<plugin dir>/<source>/<version>/tflint-ruleset-aws), so a copy installed by `tflint --init`
# (which needs GitHub) is used as is.
tflint_and_aws_ruleset() {
  if ! stamp_matches "$CACHE/bin/.tflint.stamp" "$TFLINT_VERSION" || [ ! -x "$CACHE/bin/tflint" ]; then
    log "building tflint $TFLINT_VERSION from the Go module proxy"
    go_build github.com/terraform-linters/tflint "v$TFLINT_VERSION" \
      github.com/terraform-linters/tflint "$CACHE/bin/tflint"
    echo "$TFLINT_VERSION" > "$CACHE/bin/.tflint.stamp"
  fi
  [ -n "$TFLINT_RULESET_AWS_VERSION" ] || { log "no version for plugin \"aws\" in .tflint.hcl"; return 1; }
  local plugin="$TFLINT_PLUGIN_DIR/github.com/terraform-linters/tflint-ruleset-aws/$TFLINT_RULESET_AWS_VERSION/tflint-ruleset-aws"
  if [ -x "$plugin" ]; then return; fi
  log "building tflint-ruleset-aws $TFLINT_RULESET_AWS_VERSION from the Go module proxy (slow, once)"
  go_build github.com/terraform-linters/tflint-ruleset-aws "v$TFLINT_RULESET_AWS_VERSION" \
    github.com/terraform-linters/tflint-ruleset-aws "$plugin"
}

# redis-server from Debian's package, unpacked under .cache/redis without root: `apt-get download`
# (which needs no root) of redis-server, redis-tools and those of their libraries the machine lacks,
# `dpkg-deb -x`, and a wrapper in .cache/bin that points the loader at the unpacked libraries.
# Debian's redis-server is a symlink to redis-check-rdb, which picks its role from argv[0], so the
# wrapper execs the symlink itself.
REDIS_PACKAGES="redis-server redis-tools"
REDIS_LIBRARY_PACKAGES="libjemalloc2 liblzf1"
redis() {
  local dir="$CACHE/redis" wrapper="$CACHE/bin/redis-server" version pkg work
  # apt-cache takes a second or more: ask it only when the package lists changed since the last unpack.
  if [ -x "$wrapper" ] && [ -f "$dir/.stamp" ] && [ -d /var/lib/apt/lists ] && [ "$dir/.stamp" -nt /var/lib/apt/lists ]; then return; fi
  version=$( (apt-cache policy redis-server 2>/dev/null || true) | sed -n 's/^ *Candidate: *//p')
  if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    # No apt (not Debian) or no package lists: a redis-server already there will do.
    if [ -x "$wrapper" ] || command -v redis-server >/dev/null 2>&1; then return; fi
    log "no redis-server: apt-cache knows no candidate (run apt-get update once) and none is installed; install redis-server 7 built with TLS"; return 1
  fi
  if stamp_matches "$dir/.stamp" "$version" && [ -x "$wrapper" ]; then return; fi
  log "unpacking redis-server $version from Debian's packages into $dir"
  work=$(mktemp -d)
  local packages="$REDIS_PACKAGES"
  for pkg in $REDIS_LIBRARY_PACKAGES; do
    dpkg -s "$pkg" >/dev/null 2>&1 || packages="$packages $pkg"
  done
  # As root apt hands the download to its _apt user, who cannot write to a private temporary folder.
  local sandbox=()
  [ "$(id -u)" != 0 ] || sandbox=(-o APT::Sandbox::User=root)
  # shellcheck disable=SC2086 # one word per package
  (cd "$work" && apt-get download -qq "${sandbox[@]}" $packages) || { rm -rf "$work"; return 1; }
  rm -rf "$dir.new" && mkdir -p "$dir.new/root" "$CACHE/bin"
  for pkg in "$work"/*.deb; do dpkg-deb -x "$pkg" "$dir.new/root"; done
  rm -rf "$work" "$dir" && mv "$dir.new" "$dir"
  cat > "$wrapper.new" <<WRAPPER
#!/bin/sh
# Written by scripts/setup.sh (redis step): Debian's redis-server $version unpacked under $dir.
LD_LIBRARY_PATH="$dir/root/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$dir/root/usr/bin/redis-server" "\$@"
WRAPPER
  chmod 0755 "$wrapper.new" && mv "$wrapper.new" "$wrapper"
  "$wrapper" --version >/dev/null || { log "the unpacked redis-server does not run"; return 1; }
  echo "$version" > "$dir/.stamp"
}

main() {
  local what=${1:-all}
  case "$what" in
    node) npm_packages ;;
    checkov) python_venv checkov "checkov==$CHECKOV_VERSION" checkov ;;
    moto) python_venv moto "moto[server]==$MOTO_VERSION" moto_server ;;
    terraform) terraform_cli; terraform_cli_config; terraform_plugin_cache ;;
    terraform-docs) terraform_docs ;;
    tflint) tflint_and_aws_ruleset ;;
    redis) redis ;;
    all)
      npm_packages
      python_venv checkov "checkov==$CHECKOV_VERSION" checkov
      python_venv moto "moto[server]==$MOTO_VERSION" moto_server
      terraform_cli
      terraform_cli_config
      terraform_plugin_cache
      terraform_docs
      tflint_and_aws_ruleset
      redis
      ;;
    *) echo "usage: $0 [all|node|checkov|moto|terraform|terraform-docs|tflint|redis]" >&2; exit 2 ;;
  esac
}

main "$@"
