// Compose over Berth's Docker API (issue 9): Debian's docker-compose 1.29
// brings up a two-service project on its own network with a named volume,
// shows ps/logs, execs across services by name, then takes it all down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';
import { pushBusybox } from '../fixtures/busybox-image.js';
import { dockerCli, dockerSocketOf, runTool } from '../fixtures/docker-cli.js';

let d: TestDaemon;
let registry: TestRegistry;
let project: string;
let cli: ReturnType<typeof dockerCli>;

const COMPOSE_FILE = `version: "2.4"
services:
  web:
    image: busybox
    command: ["sh", "-c", "echo served-from-volume > /www/index.html; echo web-ready; exec httpd -f -p 8080 -h /www"]
    volumes:
      - data:/www
    labels:
      role: server
  client:
    image: busybox
    depends_on: [web]
    command: ["sleep", "300"]
    volumes:
      - data:/shared:ro
volumes:
  data:
    labels:
      kept: "no"
`;

function compose(args: string[]): { code: number; stdout: string; stderr: string } {
  return runTool('docker-compose', ['-H', `unix://${dockerSocketOf(d)}`, '-p', 'berthproj', ...args], d, { cwd: project, timeoutMs: 120_000 });
}

function composeOk(args: string[]): string {
  const r = compose(args);
  expect({ args, code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ args, code: 0, stderr: '' });
  return r.stdout + r.stderr;
}

beforeAll(async () => {
  registry = await startRegistry();
  await pushBusybox(registry.host, 'library/busybox');
  d = await startDaemon();
  cli = dockerCli(d);
  cli.ok(['pull', `${registry.host}/library/busybox:latest`]);
  cli.ok(['tag', `${registry.host}/library/busybox:latest`, 'busybox:latest']);
  project = join(d.dir, 'compose-project');
  mkdirSync(project);
  writeFileSync(join(project, 'docker-compose.yml'), COMPOSE_FILE);
}, 120_000);

afterAll(async () => {
  if (d) compose(['down', '-v', '-t', '1']);
  await d?.stop();
  await registry?.stop();
});

describe('docker-compose against berthd', () => {
  it('brings up two services with a network and a volume; ps, logs, exec by service name; down -v leaves nothing', async () => {
    const up = composeOk(['up', '-d']);
    expect(up).toMatch(/Creating network "berthproj_default"/);
    expect(up).toMatch(/Creating volume "berthproj_data"/);
    expect(up).toMatch(/Creating berthproj_web_1/);
    expect(up).toMatch(/Creating berthproj_client_1/);

    const ps = composeOk(['ps']);
    expect(ps).toMatch(/berthproj_web_1\s.*\sUp/);
    expect(ps).toMatch(/berthproj_client_1\s.*\sUp/);

    // the client reaches the web service by its service name over the project network
    let page = '';
    for (let i = 0; i < 100 && page !== 'served-from-volume\n'; i++) {
      const r = compose(['exec', '-T', 'client', 'wget', '-q', '-O', '-', 'http://web:8080/']);
      page = r.code === 0 ? r.stdout : '';
      if (page !== 'served-from-volume\n') await new Promise((res) => setTimeout(res, 200));
    }
    expect(page).toBe('served-from-volume\n');
    // the file web wrote into the named volume, read back through the client's read-only mount
    expect(composeOk(['exec', '-T', 'client', 'cat', '/shared/index.html'])).toBe('served-from-volume\n');
    const ro = compose(['exec', '-T', 'client', 'sh', '-c', 'echo x > /shared/nope']);
    expect(ro.code).not.toBe(0);

    expect(composeOk(['logs', '--no-color', 'web'])).toMatch(/web_1\s+\| web-ready/);
    expect(cli.ok(['volume', 'inspect', '--format', '{{index .Labels "com.docker.compose.project"}} {{.Labels.kept}}', 'berthproj_data'])).toBe('berthproj no\n');
    expect(cli.ok(['network', 'inspect', '--format', '{{index .Labels "com.docker.compose.network"}}', 'berthproj_default'])).toBe('default\n');

    const down = composeOk(['down', '-v', '-t', '1']);
    expect(down).toMatch(/Removing network berthproj_default/);
    expect(down).toMatch(/Removing volume berthproj_data/);
    expect(cli.ok(['ps', '-a', '--filter', 'label=com.docker.compose.project=berthproj', '--format', '{{.Names}}'])).toBe('');
    expect(cli.ok(['network', 'ls', '--filter', 'name=berthproj', '--format', '{{.Name}}'])).toBe('');
    expect(cli.ok(['volume', 'ls', '--filter', 'name=berthproj', '--format', '{{.Name}}'])).toBe('');
  });
});
