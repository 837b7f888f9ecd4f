// docker-compose.yml cannot be run here (no Docker engine), but Debian's docker-compose 1.29
// validates it without one: keys, interpolation, and `${VAR:?message}` secrets (issue 13).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What the file requires from the operator's environment; values only need to be set. */
const REQUIRED = {
  JWT_SECRET: 'j'.repeat(32),
  VAPID_PUBLIC_KEY: 'vapid-public',
  VAPID_PRIVATE_KEY: 'vapid-private',
  TURN_SECRET: 'turn-secret',
  POSTGRES_PASSWORD: 'pgpassword',
  PUBLIC_IP: '203.0.113.7',
};

/** docker-compose in the repository root with only PATH and `vars` in its environment. */
async function compose(args: string[], vars: Record<string, string>) {
  try {
    const { stdout, stderr } = await run('docker-compose', args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...vars },
    });
    return { ok: true, stdout, stderr };
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      throw new Error('docker-compose is not installed: run `node scripts/setup.mjs`');
    }
    const output = (key: string) =>
      error instanceof Error && key in error ? String(Reflect.get(error, key)) : '';
    return { ok: false, stdout: output('stdout'), stderr: output('stderr') };
  }
}

/** A YAML mapping as a record; anything else is an error naming `what`. */
function mapping(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`docker-compose config: ${what} is not a mapping`);
  }
  return Object.fromEntries(Object.entries(value));
}

/**
 * The services as docker-compose resolved them (anchors merged, variables filled in), read
 * with the YAML library docker-compose itself depends on (Debian's python3-yaml).
 */
async function resolvedServices(): Promise<Record<string, Record<string, unknown>>> {
  const { ok, stdout, stderr } = await compose(['config'], REQUIRED);
  expect(ok, stderr).toBe(true);
  const toJson = 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)';
  const converted = await new Promise<string>((resolve, reject) => {
    const child = execFile('python3', ['-c', toJson], (error, out) =>
      error ? reject(error) : resolve(out),
    );
    child.stdin?.end(stdout);
  });
  const services = mapping(mapping(JSON.parse(converted), 'the file').services, 'services');
  return Object.fromEntries(
    Object.entries(services).map(([name, service]) => [name, mapping(service, name)]),
  );
}

/** Every variable named in the first column of README.md's configuration table. */
function documentedVariables(): Set<string> {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith('Configuration'));
  if (!section) throw new Error('README.md has no "## Configuration" section');
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    const firstCell = /^\|([^|]*)\|/.exec(line)?.[1] ?? '';
    for (const [, name] of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(name ?? '');
  }
  return names;
}

describe('docker-compose.yml', () => {
  it('is valid with the required secrets set', async () => {
    const { ok, stderr } = await compose(['config', '-q'], REQUIRED);
    expect(stderr).toBe('');
    expect(ok).toBe(true);
  });

  it('refuses to start without JWT_SECRET, saying what to set', async () => {
    const withoutJwt: Record<string, string> = { ...REQUIRED };
    delete withoutJwt.JWT_SECRET;
    const { ok, stderr } = await compose(['config', '-q'], withoutJwt);
    expect(ok).toBe(false);
    expect(stderr).toContain('set JWT_SECRET to 32 or more random characters');
  });

  it('sets only variables README.md documents on the Parley nodes', async () => {
    const services = await resolvedServices();
    const nodes = Object.entries(services).filter(([, service]) => 'build' in service);
    expect(nodes.map(([name]) => name).sort()).toEqual(['node1', 'node2']);
    const documented = documentedVariables();
    for (const [name, service] of nodes) {
      const environment = mapping(service.environment ?? {}, `${name}.environment`);
      const undocumented = Object.keys(environment).filter((variable) => !documented.has(variable));
      expect(undocumented, `${name} sets undocumented variables`).toEqual([]);
    }
  });

  it("gives coturn the production config's relay deny list, its own public address included", async () => {
    const lines = (file: string) => readFileSync(path.join(ROOT, file), 'utf8').split('\n');
    const denied = (file: string) => lines(file).filter((l) => l.startsWith('denied-peer-ip='));
    const production = denied('turn/config/turnserver.prod.conf');
    expect(production.length).toBeGreaterThan(10);
    // The placeholder lines come from the command line, where PUBLIC_IP is known.
    const fixed = production.filter((line) => !line.includes('{{PUBLIC_IP}}'));
    expect(production.length - fixed.length).toBe(2);
    expect(denied('deploy/coturn/turnserver.conf')).toEqual(fixed);
    expect(lines('deploy/coturn/turnserver.conf')).toContain('no-tcp-relay');
    const command = (await resolvedServices()).coturn?.command;
    expect(command).toEqual(
      expect.arrayContaining([
        `--denied-peer-ip=${REQUIRED.PUBLIC_IP}`,
        `--denied-peer-ip=::ffff:${REQUIRED.PUBLIC_IP}`,
      ]),
    );
  });
});
