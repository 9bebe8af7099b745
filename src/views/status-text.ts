// Docker's human status column: "Up 3 seconds", "Exited (3) 2 minutes ago", "Created".

export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const m = Math.round(s / 60);
  if (m === 1) return 'About a minute';
  if (m < 60) return `${m} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  const d = Math.round(h / 24);
  if (d < 14) return `${d} days`;
  if (d < 60) return `${Math.round(d / 7)} weeks`;
  if (d < 730) return `${Math.round(d / 30)} months`;
  return `${Math.round(d / 365)} years`;
}

export function statusText(state: string, exitCode: number | null, startedAt: string | null, finishedAt: string | null, now = Date.now()): string {
  switch (state) {
    case 'running':
      return startedAt ? `Up ${humanDuration(now - Date.parse(startedAt))}` : 'Up';
    case 'paused':
      return startedAt ? `Up ${humanDuration(now - Date.parse(startedAt))} (Paused)` : 'Up (Paused)';
    case 'restarting':
      return `Restarting (${exitCode ?? 0}) ${finishedAt ? `${humanDuration(now - Date.parse(finishedAt))} ago` : ''}`.trim();
    case 'exited':
      return `Exited (${exitCode ?? 0}) ${finishedAt ? `${humanDuration(now - Date.parse(finishedAt))} ago` : ''}`.trim();
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      return 'Created';
  }
}
