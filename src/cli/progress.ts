/**
 * A terminal progress bar with percentage and ETA for long CLI work (cli-progress). On a non-TTY
 * stderr (CI, a log file) it prints a plain line every 5 % or 30 s instead of redrawing, with the
 * same percentage and an ETA from the mean rate so far.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, fields?: Record<string, string>): void;
  stop(): void;
}

/** A duration as people read it: 45s, 12m 05s, 3h 20m. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function progressBar(total: number, label: string, extra = ''): Progress {
  if (!process.stderr.isTTY) {
    const t0 = performance.now();
    let lastPct = -5,
      lastAt = 0; // the first update always prints
    return {
      update(done, fields = {}) {
        const pct = Math.floor((100 * done) / Math.max(1, total));
        if (pct >= lastPct + 5 || done === total || performance.now() - lastAt > 30_000) {
          lastPct = pct;
          lastAt = performance.now();
          const elapsed = (lastAt - t0) / 1000;
          const eta = done > 0 && done < total ? `ETA ${formatDuration((elapsed / done) * (total - done))}` : '';
          const info = [eta, ...Object.entries(fields).map(([k, v]) => `${k} ${v}`)].filter(Boolean).join('  ');
          process.stderr.write(`${label}: ${done}/${total} (${pct}%) ${info}`.trimEnd() + '\n');
        }
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}${extra ? ' | ' + extra : ''}`,
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { update: (done, fields) => bar.update(done, fields), stop: () => bar.stop() };
}
