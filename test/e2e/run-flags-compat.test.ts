// Docker's run/create flags Berth takes only in their default form: the
// default runs a real container; anything else is refused up front (exit
// 125, "not supported by Berth: …") and creates nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { loadBusybox, ok } from '../fixtures/e2e-helpers.js';

let d: TestDaemon;

beforeAll(async () => {
  d = await startDaemon();
  loadBusybox(d);
});

afterAll(async () => {
  await d?.stop();
});

describe('compatibility flags', () => {
  it('runs with the defaults Docker users pass', () => {
    const out = d.berth(['run', '--rm', '--disable-content-trust', '--isolation', 'default', '--userns', 'host', '--volume-driver', 'local', 'busybox', 'echo', 'fine']);
    expect(out).toMatchObject({ code: 0, stdout: 'fine\n' });
  });

  const refusals: Array<[string[], string]> = [
    [['--gpus', 'all'], 'not supported by Berth: --gpus'],
    [['--storage-opt', 'size=1G'], 'not supported by Berth: --storage-opt'],
    [['--link', 'db:db'], 'not supported by Berth: --link (legacy links are not implemented; put both containers on a user network'],
    [['--link-local-ip', '169.254.1.1'], 'not supported by Berth: --link-local-ip'],
    [['--ip6', 'fd00::2'], 'not supported by Berth: --ip6'],
    [['--mac-address', '02:42:ac:11:00:02'], 'not supported by Berth: --mac-address'],
    [['--kernel-memory', '50m'], 'not supported by Berth: --kernel-memory'],
    [['--cpu-rt-period', '1000'], 'not supported by Berth: --cpu-rt-period'],
    [['--cpu-rt-runtime', '100'], 'not supported by Berth: --cpu-rt-runtime'],
    [['--volume-driver', 'nfs'], 'not supported by Berth: --volume-driver nfs (only the "local" volume driver exists)'],
    [['--userns', 'remap'], 'not supported by Berth: --userns remap'],
    [['--runtime', 'nvidia'], "not supported by Berth: --runtime nvidia (every container runs on the daemon's runtime"],
    [['--isolation', 'hyperv'], 'invalid isolation: hyperv'],
  ];

  it('refuses the rest clearly, for run and create, creating nothing', () => {
    for (const [flags, message] of refusals) {
      for (const verb of ['run', 'create']) {
        const r = d.berth([verb, ...flags, 'busybox', 'true']);
        expect(r.code, `${verb} ${flags.join(' ')}`).toBe(125);
        expect(r.stderr).toContain(message);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    }
    expect(ok(d.berth(['ps', '-aq']))).toBe('');
  });
});
