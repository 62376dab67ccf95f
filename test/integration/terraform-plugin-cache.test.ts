import { spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';

const repoRoot = join(__dirname, '../..');

/**
 * make test runs `terraform init` in several places at once (integration workers, infra gates). With
 * no lock file (this repository commits none) Terraform 1.4+ reinstalls the provider into the shared
 * plugin cache on every init, and two inits doing that at once fail ("failed to create directory ...
 * file exists", seen in CI). The CLI config scripts/setup.sh writes makes an init only read the cache.
 */
describe('Terraform plugin cache (scripts/setup.sh CLI config)', function () {
  this.timeout(120_000);

  it('an init with no lock file uses the cache entry setup filled and does not rewrite it', function () {
    const config = process.env.TF_CLI_CONFIG_FILE ?? join(repoRoot, '.cache/terraformrc');
    const cacheDir = /plugin_cache_dir\s*=\s*"([^"]+)"/.exec(readFileSync(config, 'utf8'))?.[1];
    expect(cacheDir, `plugin_cache_dir in ${config}`).to.be.a('string');
    const version = /^AWS_PROVIDER_VERSION=(\S+)$/m.exec(readFileSync(join(repoRoot, 'scripts/setup.sh'), 'utf8'))?.[1];
    const platform = `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;
    const entry = join(cacheDir!, 'registry.terraform.io/hashicorp/aws', version!, platform);
    const before = lstatSync(entry);
    const work = mkdtempSync(join(tmpdir(), 'tf-cache-'));
    try {
      writeFileSync(join(work, 'main.tf'), `terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "${version}" }\n  }\n}\n`);
      const init = spawnSync('terraform', ['init', '-backend=false', '-input=false', '-no-color'], { cwd: work, encoding: 'utf8', env: { ...process.env, TF_CLI_CONFIG_FILE: config } });
      expect(init.status, `${init.stdout}${init.stderr}`).to.equal(0);
      const after = lstatSync(entry);
      expect({ ino: after.ino, mtimeMs: after.mtimeMs }, 'cache entry rewritten by the init').to.deep.equal({ ino: before.ino, mtimeMs: before.mtimeMs });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
